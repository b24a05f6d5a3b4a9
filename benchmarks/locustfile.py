"""The load test's users (run by benchmarks/load_mix.py): SMEs browse their recommendations
and search, firms look at their needs' candidates, an organiser views and exports an
event's shortlists. Accounts and ids come from the environment the runner sets."""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, task

PLAN = json.loads(os.environ.get("MATCHMAKER_LOAD_PLAN", "{}"))
PASSWORD = os.environ.get("MATCHMAKER_LOAD_PASSWORD", "")
WORDS = [
    "电子特气",
    "封装测试",
    "碳化硅",
    "电池管理",
    "工业软件",
    "传感器",
    "注塑",
    "检测认证",
    "MES",
    "光刻胶",
    "激光雷达",
    "医疗器械",
]


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def login(self, email: str) -> None:
        self.client.get("/login", name="/login")
        form = {
            "email": email,
            "password": PASSWORD,
            "csrf_token": self.client.cookies.get("mm_csrf", ""),
        }
        self.client.post("/login", data=form, name="/login [post]")


class Sme(PortalUser):
    weight = 6

    def on_start(self) -> None:
        self.login(random.choice(PLAN["smes"]))

    @task(3)
    def recommendations(self) -> None:
        self.client.get("/recommendations", name="/recommendations")

    @task(3)
    def search(self) -> None:
        self.client.get(f"/needs?q={random.choice(WORDS)}", name="/needs?q=…")

    @task(2)
    def need(self) -> None:
        self.client.get(f"/needs/{random.choice(PLAN['needs'])}", name="/needs/{id}")


class Firm(PortalUser):
    weight = 3

    def on_start(self) -> None:
        firm = random.choice(PLAN["firms"])
        self.login(firm["email"])
        self.own_needs = firm["needs"]

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/dashboard", name="/dashboard")

    @task(3)
    def candidates(self) -> None:
        need = random.choice(self.own_needs)
        self.client.get(f"/needs/{need}/candidates", name="/needs/{id}/candidates")


class Organiser(PortalUser):
    weight = 1

    def on_start(self) -> None:
        self.login(PLAN["organiser"])

    @task(3)
    def shortlists(self) -> None:
        self.client.get(f"/events/{PLAN['event']}/shortlists", name="/events/{id}/shortlists")

    @task(1)
    def export(self) -> None:
        self.client.get(
            f"/events/{PLAN['event']}/export/shortlists.xlsx", name="/events/{id}/export.xlsx"
        )
