"""The inbox: per-user notifications for invitations, answers, changes and strong matches."""
