"""German translations of two popular demo articles: slug -> (title, body)."""

from __future__ import annotations

GERMAN = {
    "reset-your-password": (
        "Passwort zurücksetzen",
        """\
Passwort vergessen? Ein neues legen Sie in einer Minute selbst fest.

## Link zum Zurücksetzen anfordern

1. Öffnen Sie die Anmeldeseite und wählen Sie **Passwort vergessen?**
2. Geben Sie die E-Mail-Adresse ein, mit der Sie sich anmelden, und klicken Sie auf
   **Link senden**.
3. Öffnen Sie unsere E-Mail und folgen Sie dem Link innerhalb von **24 Stunden**.
4. Wählen Sie ein neues Passwort mit mindestens 12 Zeichen und melden Sie sich an.

Der Link funktioniert nur einmal. Fordern Sie mehrere Links an, gilt nur der neueste.

## Die E-Mail kommt nicht an

- Sehen Sie im Spam-Ordner nach.
- Viele Firmen-Mailserver halten Nachrichten in einer **Quarantäne** zurück. Bitten Sie
  Ihre IT, unsere Nachricht freizugeben und unsere Absenderdomain zuzulassen.
- Prüfen Sie, ob Sie die Adresse Ihres Kontos eingegeben haben.

> **Hinweis:** Nutzt Ihr Workspace Single Sign-on, melden Sie sich über den
> Identitätsanbieter Ihrer Firma an und ändern das Passwort dort.
""",
    ),
    "download-invoices": (
        "Rechnungen herunterladen",
        """\
Zu jeder Zahlung gibt es eine Rechnung als PDF, die wir auch an den Rechnungskontakt senden.

## Eine Rechnung finden

1. Öffnen Sie **Einstellungen > Abrechnung > Rechnungen**.
2. Wählen Sie die Rechnung nach Nummer oder Datum.
3. Klicken Sie auf **PDF herunterladen**.

Rechnungen sehen nur der Inhaber und Abrechnungs-Admins.

## Rechnungen an die Buchhaltung senden

Tragen Sie unter **Einstellungen > Abrechnung > Rechnungskontakt** die Adresse ein, die eine
Kopie jeder Rechnung erhalten soll, etwa das Postfach Ihrer Kreditorenbuchhaltung.

> **Hinweis:** Ausgestellte Rechnungen sind gesperrt. Steht darauf eine alte Adresse oder
> fehlt Ihre Bestellnummer, ändern Sie zuerst Ihre Rechnungsdaten und bitten Sie uns dann,
> die Rechnung neu auszustellen.
""",
    ),
}
