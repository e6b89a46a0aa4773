"""The shared 2FA core: methods (plugins), policy, lockout, the login state machine and setup flows.

Agent console and help center call these; no 2FA rule lives in a view.
"""
