// outpost-studio: the desktop studio. Opens the project given on the command
// line, or else the sample project in the user's data folder.
//
// OUTPOST_STUDIO_STARTUP_PROBE=1 in the environment makes it print, when the
// main window is first exposed (after the project opened), the monotonic
// clock in nanoseconds ("window-exposed <ns>") and quit: tests/bench measures
// launch-to-window with it.
#include "core/i18n/language.h"
#include "ui/main/main_window.h"
#include "ui/main/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>
#include <QWindow>

#include <chrono>
#include <cstdio>

namespace {

// Reports the first expose of the window it watches, then quits.
class StartupProbe : public QObject {
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Expose && !m_done) {
            auto* window = qobject_cast<QWindow*>(watched);
            if (window && window->isExposed()) {
                m_done = true;
                const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch())
                                    .count();
                std::printf("window-exposed %lld\n", static_cast<long long>(ns));
                std::fflush(stdout);
                QTimer::singleShot(0, qApp, &QCoreApplication::quit);
            }
        }
        return QObject::eventFilter(watched, event);
    }

private:
    bool m_done = false;
};

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("outpost-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Outpost Studio"));
    QApplication::setOrganizationName(QStringLiteral("Outpost"));
    QApplication::setApplicationVersion(QStringLiteral(OUTPOST_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("outpost-studio"));

    const QSettings settings;
    const QString language = settings.value(QStringLiteral("language"), QStringLiteral("system")).toString();
    outpost::core::installTranslations(language == QLatin1String("system") ? outpost::core::systemLanguage() : language);
    // Before any widget exists, so none is polished twice.
    outpost::ui::captureSystemTheme();
    outpost::ui::applyTheme(outpost::ui::themeFromKey(settings.value(QStringLiteral("theme")).toString()));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Outpost Studio: design, run and inspect agents."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("PROJECT"), QApplication::translate("main", "The project folder to open."));
    parser.process(app);

    outpost::ui::MainWindow window;
    StartupProbe* probe = qEnvironmentVariableIntValue("OUTPOST_STUDIO_STARTUP_PROBE") ? new StartupProbe(&app) : nullptr;
    window.show();
    if (probe && window.windowHandle())
        window.windowHandle()->installEventFilter(probe);
    if (!parser.positionalArguments().isEmpty()) {
        window.openProject(parser.positionalArguments().first());
    } else {
        QString error;
        const QString sample = outpost::ui::MainWindow::defaultProjectPath(&error);
        window.openProject(sample);
    }
    return QApplication::exec();
}
