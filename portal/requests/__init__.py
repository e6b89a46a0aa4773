"""Support requests: the help center's "Contact support" and "My requests", the agent console's queue, and
"Verify requester" (docs/architecture.md, "Requests").

- `core.py`: the flows (create, reply, status, the queue and search) both areas call;
- `verification.py`: Verify requester, through the same method interface and failure budget as a sign-in;
- `helpcenter_views.py`, `agent_views.py`: each area's pages, registered on its blueprint.
"""
