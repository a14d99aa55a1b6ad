#pragma once
// The languages Outpost speaks. English is the source language; every other
// one is a Qt Linguist translation compiled into the binary (translations/).
#include <QList>
#include <QString>

namespace outpost::core {

struct Language {
    QString code;         // BCP 47-ish locale name: "en", "fr_CA"
    QString nativeName;   // "English", "Français (Canada)"
};

// Every language with a translation, English first.
QList<Language> availableLanguages();

// The best available language for the system locale (LANGUAGE/LC_ALL/LANG).
QString systemLanguage();

// Installs translators for `code` on the application (replacing earlier
// ones): Outpost's own strings and Qt's. Returns false when `code` has no
// translation (English then shows).
bool installTranslations(const QString& code);

} // namespace outpost::core
