// outpost-studio: the desktop studio. Opens the project given on the command
// line, or else the sample project in the user's data folder.
#include "core/i18n/language.h"
#include "ui/main/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("outpost-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Outpost Studio"));
    QApplication::setOrganizationName(QStringLiteral("Outpost"));
    QApplication::setApplicationVersion(QStringLiteral(OUTPOST_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("outpost-studio"));

    const QString language = QSettings().value(QStringLiteral("language"), QStringLiteral("system")).toString();
    outpost::core::installTranslations(language == QLatin1String("system") ? outpost::core::systemLanguage() : language);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Outpost Studio: design, run and inspect agents."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("PROJECT"), QApplication::translate("main", "The project folder to open."));
    parser.process(app);

    outpost::ui::MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        window.openProject(parser.positionalArguments().first());
    } else {
        QString error;
        const QString sample = outpost::ui::MainWindow::defaultProjectPath(&error);
        window.openProject(sample);
    }
    return QApplication::exec();
}
