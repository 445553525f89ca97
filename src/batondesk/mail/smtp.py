"""Sending one email through the configured SMTP server (the standard library's smtplib).

Never logs a recipient or a body: the caller logs what it sent by conversation id.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from batondesk.config import Settings


class MailNotConfigured(RuntimeError):
    """No SMTP server is configured: nothing may leave the host."""


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    def compose(self, *, to: str, subject: str, text: str, sender_name: str) -> EmailMessage:
        """A plain-text message from the configured sender, shown under `sender_name`."""
        message = EmailMessage()
        message["From"] = formataddr((sender_name, self.settings.smtp_from))
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=self.settings.smtp_from.rpartition("@")[2])
        message.set_content(text)
        return message

    def send(self, message: EmailMessage) -> None:
        """Deliver `message`; raises `MailNotConfigured` without a server and smtplib's or
        the socket's errors when delivery fails (the caller keeps the work to retry)."""
        settings = self.settings
        if not self.configured:
            raise MailNotConfigured("no SMTP server is configured (BATON_SMTP_HOST)")
        timeout = settings.smtp_timeout_seconds
        client: smtplib.SMTP
        if settings.smtp_security == "tls":
            client = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                client.login(settings.smtp_username, settings.smtp_password)
            client.send_message(message)
