#include "core/i18n/language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <memory>
#include <vector>

namespace outpost::core {

QList<Language> availableLanguages()
{
    return {
        {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("fr_CA"), QStringLiteral("Français (Canada)")},
    };
}

QString systemLanguage()
{
    const QLocale locale;
    for (const QString& name : locale.uiLanguages()) {
        const QString normalised = QString(name).replace(QLatin1Char('-'), QLatin1Char('_'));
        for (const auto& lang : availableLanguages()) {
            if (normalised.compare(lang.code, Qt::CaseInsensitive) == 0)
                return lang.code;
        }
        // Any French (fr, fr_FR, fr_BE...) reads the Canadian French text
        // rather than English: closer is better than nothing.
        const QString language = normalised.section(QLatin1Char('_'), 0, 0);
        for (const auto& lang : availableLanguages()) {
            if (lang.code.section(QLatin1Char('_'), 0, 0).compare(language, Qt::CaseInsensitive) == 0)
                return lang.code;
        }
    }
    return QStringLiteral("en");
}

bool installTranslations(const QString& code)
{
    static std::vector<std::unique_ptr<QTranslator>> installed;
    for (auto& t : installed)
        QCoreApplication::removeTranslator(t.get());
    installed.clear();

    // English is the source language; its catalogue holds only plural forms.
    auto own = std::make_unique<QTranslator>();
    if (!own->load(QStringLiteral(":/outpost/i18n/outpost_%1.qm").arg(code)))
        return false;
    QCoreApplication::installTranslator(own.get());
    installed.push_back(std::move(own));

    if (code == QLatin1String("en"))
        return true;
    // Qt's own strings (standard buttons, dialogs), when the system has them.
    auto qt = std::make_unique<QTranslator>();
    if (qt->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt.get());
        installed.push_back(std::move(qt));
    }
    return true;
}

} // namespace outpost::core
