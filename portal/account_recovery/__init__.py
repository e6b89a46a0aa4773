"""Lost-device recovery that the owner can stop (docs/architecture.md, "Account recovery").

- `flow.py`: the rules — asking, approving (one admin, or two different admins for a staff account), the
  waiting period, stopping it (cancel link, the owner's second-factor sign-in, an admin's refusal), and running
  the recoveries whose waiting period has ended;
- `views.py`: "I can't use any of my methods" after the password, and the one-click cancel page (no sign-in);
- `admin_views.py`: Admin › Account recovery: the list apart from requests, a recovery with the verification
  state and recent security activity, approve / refuse, and the waiting-period setting.

Nothing runs in the background: a recovery whose waiting period has ended is carried out by `flask recovery
run-due` (schedule it, e.g. every five minutes) and, whatever the schedule, whenever the recovery is looked at —
the owner's recovery page, the cancel page, the admins' pages.
"""
