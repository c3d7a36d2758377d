"""Mail over STARTTLS (both databases): sent to a local aiosmtpd server that requires TLS, with
a certificate from a private CA made here; refused, and kept for later, when TLS cannot be had."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import core.mail as mail
from core.mail import deliver_due, enqueue
from core.settings import ConfigurationError, get_settings
from core.tables import OutboxEmail
from tests.smtp import free_port

pytestmark = pytest.mark.anyio

ACCOUNT = ("phiencho", "mật-khẩu-đúng")
SUBJECT = "Hồ sơ Công ty TNHH Gốm Bến Thành đã được duyệt"
BODY = "Kính gửi Công ty TNHH Gốm Bến Thành,\n\nHồ sơ của quý vị đã được duyệt.\n"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject, issuer, public_key, signing_key, *, ca: bool, extensions
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict[str, Path]:
    """A private CA and the mail server's certificate (127.0.0.1, localhost) it signed."""
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Phiên chợ thử — CA nội bộ")
    ca = _certificate(
        ca_name,
        ca_name,
        ca_key.public_key(),
        ca_key,
        ca=True,
        extensions=[
            (
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                True,
            )
        ],
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate(
        _name("localhost"),
        ca_name,
        server_key.public_key(),
        ca_key,
        ca=False,
        extensions=[
            (
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                False,
            ),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
            (
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                False,
            ),
        ],
    )
    paths = {name: folder / f"{name}.pem" for name in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def server_tls(pki: dict[str, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki["cert"], pki["key"])
    return context


@pytest.fixture
def outbox(db, smtp_port, tmp_path, monkeypatch):
    (tmp_path / "approved.vi.txt").write_text(f"{SUBJECT}\n\n{BODY}", encoding="utf-8")
    monkeypatch.setattr(mail, "TEMPLATE_DIR", tmp_path)
    return db


@pytest.fixture
def starttls_settings(smtp_port, pki, monkeypatch):
    """What an operator sets for a mail server across a network, with a private CA."""
    monkeypatch.setenv("SMTP_STARTTLS", "1")
    monkeypatch.setenv("SMTP_CA_FILE", str(pki["ca"]))
    monkeypatch.setenv("SMTP_USER", ACCOUNT[0])
    monkeypatch.setenv("SMTP_PASSWORD", ACCOUNT[1])
    get_settings.cache_clear()
    return smtp_port


async def row_of(mail_id: int) -> dict:
    return await OutboxEmail.select().where(OutboxEmail.id == mail_id).first()


async def make_due(mail_id: int) -> None:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await OutboxEmail.update({OutboxEmail.next_attempt_at: moment}).where(OutboxEmail.id == mail_id)


async def test_mail_goes_out_over_starttls_and_signs_in_only_inside_it(
    outbox, starttls_settings, pki, start_server
):
    server = start_server(starttls_settings, login=ACCOUNT, tls=server_tls(pki))
    mail_id = await enqueue("gom@benthanh.vn", "approved", {}, "vi")

    assert await deliver_due() == 1

    assert len(server.messages) == 1
    assert server.over_tls == [True]
    assert server.messages[0]["Subject"] == SUBJECT
    assert server.text_of(server.messages[0]) == BODY
    assert server.recipients == [["gom@benthanh.vn"]]
    assert len(server.sign_ins) == 1
    row = await row_of(mail_id)
    assert row["sent_at"] is not None and row["attempts"] == 0


# The plain server stands for a misconfigured one: it would take a password without TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_a_server_without_tls_is_refused_and_the_mail_waits_for_one_with_it(
    outbox, starttls_settings, pki, start_server, monkeypatch
):
    plain = start_server(starttls_settings, login=ACCOUNT)  # offers no STARTTLS
    mail_id = await enqueue("gom@benthanh.vn", "approved", {}, "vi")

    assert await deliver_due() == 0

    assert plain.messages == []
    assert plain.sign_ins == []  # the password never crossed the plain connection
    row = await row_of(mail_id)
    assert row["sent_at"] is None
    assert row["attempts"] == 1
    assert "STARTTLS" in row["last_error"]
    assert row["next_attempt_at"] > dt.datetime.now(dt.UTC)

    # The operator points the app at a mail server that does offer TLS.
    secure_port = free_port()
    monkeypatch.setenv("SMTP_PORT", str(secure_port))
    get_settings.cache_clear()
    secure = start_server(secure_port, login=ACCOUNT, tls=server_tls(pki))
    await make_due(mail_id)
    assert await deliver_due() == 1
    assert secure.over_tls == [True]
    assert secure.messages[0]["Subject"] == SUBJECT
    assert (await row_of(mail_id))["sent_at"] is not None


async def test_a_certificate_no_trusted_ca_signed_is_refused(
    outbox, starttls_settings, pki, start_server, monkeypatch
):
    # Without the private CA, the server's certificate vouches for nothing: verification is on.
    monkeypatch.delenv("SMTP_CA_FILE")
    get_settings.cache_clear()
    server = start_server(starttls_settings, login=ACCOUNT, tls=server_tls(pki))
    mail_id = await enqueue("gom@benthanh.vn", "approved", {}, "vi")

    assert await deliver_due() == 0

    assert server.messages == [] and server.sign_ins == []
    row = await row_of(mail_id)
    assert row["sent_at"] is None and row["attempts"] == 1
    assert "CERTIFICATE_VERIFY_FAILED" in row["last_error"]


async def test_a_certificate_for_another_host_is_refused(
    outbox, starttls_settings, pki, start_server, monkeypatch
):
    # The certificate names 127.0.0.1 and localhost; the same server reached as 127.0.0.2 is not it.
    monkeypatch.setenv("SMTP_HOST", "127.0.0.2")
    get_settings.cache_clear()
    server = start_server(
        starttls_settings, login=ACCOUNT, tls=server_tls(pki), hostname="127.0.0.2"
    )
    mail_id = await enqueue("gom@benthanh.vn", "approved", {}, "vi")

    assert await deliver_due() == 0

    assert server.messages == []
    row = await row_of(mail_id)
    assert row["sent_at"] is None and row["attempts"] == 1
    assert "CERTIFICATE_VERIFY_FAILED" in row["last_error"]
    assert "mismatch" in row["last_error"]  # the CA is trusted: only the name is wrong


def test_a_ca_file_that_is_not_there_stops_the_start_with_its_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("SMTP_CA_FILE", str(tmp_path / "khong-co.pem"))
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="SMTP_CA_FILE"):
            get_settings()
    finally:
        monkeypatch.delenv("SMTP_CA_FILE")
        get_settings.cache_clear()
