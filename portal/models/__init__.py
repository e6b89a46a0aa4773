"""The portal's SQLAlchemy models, one module per part of the product; everything is imported from here
(`from portal.models import User`). All datetimes are naive UTC (portal.clock)."""
from .people import (AGENT, END_USER, Authenticator, EmailCode, KnownBrowser, PasswordReset,  # noqa: F401
                     PendingLogin, PendingRegistration, RecoveryCode, RememberedDevice, User, UserSession)
from .portal_state import OutboxMessage, Plugin, PluginInstance, SecurityEvent, Setting  # noqa: F401
from .webauthn import WebAuthnChallenge, WebAuthnCredential  # noqa: F401
from .support import (RECOVERY_UNDER_WAY, AccountRecovery, RequestMessage, RequesterVerification,  # noqa: F401
                      SupportRequest)
from .sso import SsoIdentity, SsoProvider, SsoState  # noqa: F401
