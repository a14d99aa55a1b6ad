// Studio panels: how long the state inspector takes to open a 1,000,000-row
// table (first page ready) and to fetch further pages, deep in the table
// too; and how long the model manager takes to scan N GGUF files and build
// its table model; and how long the real outpost-studio takes from launch to
// its main window on screen with the sample project open (the target:
// within 1 s), on the offscreen platform, median of --launches runs.
//
//   bench_studio [--rows N] [--files N] [--launches N] [--studio PATH] [--only-launch]
#include "core/project/sample_project.h"
#include "inference/gguf/gguf_writer.h"
#include "ui/inspect/lazy_table_model.h"
#include "ui/models/model_list_model.h"
#include "ui/models/model_scanner.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace outpost;

namespace {

double ms(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

bool createTable(const QString& path, int rows)
{
    sqlite3* db = nullptr;
    if (sqlite3_open(QFile::encodeName(path).constData(), &db) != SQLITE_OK)
        return false;
    const QByteArray sql = QStringLiteral(
        "PRAGMA journal_mode=WAL; BEGIN;"
        "CREATE TABLE big(id INTEGER PRIMARY KEY, name TEXT, value REAL, note TEXT);"
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %1)"
        " INSERT INTO big SELECT x, 'row ' || x, x * 0.5, printf('%%040d', x) FROM c;"
        "COMMIT;").arg(rows).toUtf8();
    char* err = nullptr;
    const bool ok = sqlite3_exec(db, sql.constData(), nullptr, nullptr, &err) == SQLITE_OK;
    if (!ok) {
        std::fprintf(stderr, "%s\n", err);
        sqlite3_free(err);
    }
    sqlite3_close(db);
    return ok;
}

bool writeModel(const QString& path, int i)
{
    inference::gguf::GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setString("general.name", "bench model " + std::to_string(i));
    w.setUInt32("llama.context_length", 4096);
    w.setUInt32("general.file_type", 7);
    for (int t = 0; t < 16; ++t) {
        std::vector<std::byte> data(64 * 64 / 32 * 34);
        if (!w.addTensor("blk." + std::to_string(t) + ".weight", {64, 64}, inference::TensorType::Q8_0, std::move(data)).ok())
            return false;
    }
    return w.writeFile(QFile::encodeName(path).toStdString()).ok();
}

std::int64_t monotonicNs()
{
    // steady_clock is CLOCK_MONOTONIC on Linux: one clock for every process.
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Launches the studio on `project` with a fresh settings folder and returns
// milliseconds from just before the launch to the window's first expose, or
// a negative value when it did not report one.
double launchOnce(const QString& studio, const QString& project, const QString& home)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("OUTPOST_STUDIO_STARTUP_PROBE"), QStringLiteral("1"));
    // Its own settings and data: no recent geometry or sample copy from a user.
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), QDir(home).filePath(QStringLiteral(".config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), QDir(home).filePath(QStringLiteral(".local/share")));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::SeparateChannels);
    const std::int64_t start = monotonicNs();
    p.start(studio, {project});
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    for (const QByteArray& line : p.readAllStandardOutput().split('\n'))
        if (line.startsWith("window-exposed "))
            return double(line.mid(15).trimmed().toLongLong() - start) / 1e6;
    return -1;
}

int benchLaunch(const QString& studio, int launches)
{
    if (studio.isEmpty() || !QFileInfo(studio).isExecutable()) {
        std::printf("launch: outpost-studio not found (build it, or pass --studio PATH)\n");
        return 0;
    }
    QTemporaryDir dir;
    const QString project = dir.filePath(QStringLiteral("hello"));
    const QString error = core::installSampleProject(project);
    if (!error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    std::vector<double> times;
    for (int i = 0; i < launches; ++i) {
        const QString home = dir.filePath(QStringLiteral("home%1").arg(i));
        QDir().mkpath(home);
        const double t = launchOnce(studio, project, home);
        if (t < 0) {
            std::fprintf(stderr, "launch %d: the studio reported no window\n", i + 1);
            return 1;
        }
        times.push_back(t);
    }
    std::sort(times.begin(), times.end());
    std::printf("studio: launch to main window exposed, sample project open (offscreen): %.0f ms median, %.0f ms best, "
                "%.0f ms worst (%d runs; target 1000 ms)\n",
                times[times.size() / 2], times.front(), times.back(), launches);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int rows = 1'000'000;
    int files = 200;
    int launches = 5;
    bool onlyLaunch = false;
#ifdef OUTPOST_STUDIO_BINARY
    QString studio = QStringLiteral(OUTPOST_STUDIO_BINARY);
#else
    QString studio;
#endif
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--rows"))
            rows = args[i + 1].toInt();
        if (args[i] == QLatin1String("--files"))
            files = args[i + 1].toInt();
        if (args[i] == QLatin1String("--launches"))
            launches = std::max(1, args[i + 1].toInt());
        if (args[i] == QLatin1String("--studio"))
            studio = args[i + 1];
    }
    onlyLaunch = args.contains(QLatin1String("--only-launch"));
    if (const int rc = benchLaunch(studio, launches); rc != 0 || onlyLaunch)
        return rc;
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("big.sqlite"));

    QElapsedTimer t;
    t.start();
    if (!createTable(db, rows))
        return 1;
    std::printf("create %d-row table (recursive CTE, one transaction): %.0f ms\n", rows, ms(t));

    // Open: count + first page. Best of 5, each with a fresh model (and
    // connection), the page cache of the OS warm.
    std::vector<double> opens;
    for (int rep = 0; rep < 5; ++rep) {
        ui::LazyTableModel model;
        t.restart();
        QString error;
        if (!model.setTable(db, QStringLiteral("big"), &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        opens.push_back(ms(t));
    }
    std::sort(opens.begin(), opens.end());
    std::printf("inspector: open %d-row table, first page (256 rows) ready: %.2f ms median, %.2f ms best (5 runs)\n", rows,
                opens[opens.size() / 2], opens.front());
    {
        // The row count runs on the thread pool; time until it is known.
        ui::LazyTableModel counted;
        QEventLoop loop;
        QObject::connect(&counted, &ui::LazyTableModel::totalRowsChanged, &loop, &QEventLoop::quit);
        t.restart();
        counted.setTable(db, QStringLiteral("big"));
        if (counted.totalRows() < 0)
            loop.exec();
        std::printf("inspector: row count (%lld) known after: %.2f ms (background)\n", counted.totalRows(), ms(t));
    }

    ui::LazyTableModel model;
    model.setTable(db, QStringLiteral("big"));
    t.restart();
    const int pages = 100;
    for (int i = 0; i < pages; ++i)
        model.fetchMore({});
    std::printf("inspector: fetchMore, 256-row page: %.3f ms per page (first %d pages)\n", ms(t) / pages, pages);
    const int deep = rows - 256 * (pages + 1);
    while (model.rowCount() < deep && model.canFetchMore({}))
        model.fetchMore({});
    if (model.canFetchMore({})) {
        const int from = model.rowCount();
        t.restart();
        for (int i = 0; i < pages; ++i)
            model.fetchMore({});
        std::printf("inspector: fetchMore after %d rows: %.3f ms per page (rowid ranges keep it flat)\n", from, ms(t) / pages);
    }

    // Model manager: write N small GGUF files, then scan + build the model.
    const QString models = dir.filePath(QStringLiteral("models"));
    QDir().mkpath(models);
    for (int i = 0; i < files; ++i)
        if (!writeModel(QDir(models).filePath(QStringLiteral("m%1.gguf").arg(i, 4, 10, QLatin1Char('0'))), i))
            return 1;
    for (int rep = 0; rep < 2; ++rep) {
        ui::ModelScanner scanner;
        ui::ModelListModel list;
        QObject::connect(&scanner, &ui::ModelScanner::modelsFound, &list, &ui::ModelListModel::addModels);
        t.restart();
        scanner.scan({{models, QStringLiteral("bench"), false}});
        std::printf("model manager: scan + model of %d GGUF files (%s): %.1f ms, %.3f ms per file, %d rows\n", files,
                    rep == 0 ? "first run" : "warm", ms(t), ms(t) / std::max(files, 1), list.rowCount());
    }
    return 0;
}
