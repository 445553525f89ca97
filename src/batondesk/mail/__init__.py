"""Outgoing email through the SMTP server the operator configured (`BATON_SMTP_*`); without
one, nothing is sent."""

from batondesk.mail.smtp import MailNotConfigured, SmtpMailer

__all__ = ["MailNotConfigured", "SmtpMailer"]
