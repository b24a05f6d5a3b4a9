"""Industry-chain matchmaking events: invitations, shortlists, meetings, schedules, exports."""
