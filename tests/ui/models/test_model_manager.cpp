// The model manager on the offscreen platform: scanning a folder with real
// GGUF files (written by the GGUF writer) and a corrupt one on the worker
// thread, filtering and sorting, cancelling, load/unload signals and the
// engine settings kept in QSettings.
#include "inference/gguf/gguf_writer.h"
#include "ui/models/model_list_model.h"
#include "ui/models/model_manager.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace outpost;
using inference::TensorType;
using inference::gguf::GgufWriter;

namespace {

// A small but real GGUF file: metadata as llama.cpp writes it, and tensors
// of `type` holding `elements` values in total.
void writeModel(const QString& path, const QString& name, TensorType type, int fileType, std::uint64_t rows)
{
    GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setString("general.name", name.toStdString());
    w.setUInt32("llama.context_length", 2048);
    if (fileType >= 0)
        w.setUInt32("general.file_type", std::uint32_t(fileType));
    const auto info = inference::tensorTypeInfo(type);
    QVERIFY(info.has_value());
    const std::uint64_t cols = 256; // a multiple of every block size
    std::vector<std::byte> data(std::size_t(rows * cols / info->blockElements * info->blockBytes));
    QVERIFY(w.addTensor("blk.0.attn_q.weight", {cols, rows}, type, data).ok());
    std::vector<std::byte> norm(cols * 4);
    QVERIFY(w.addTensor("output_norm.weight", {cols}, TensorType::F32, norm).ok());
    QDir().mkpath(QFileInfo(path).absolutePath());
    const auto st = w.writeFile(QFile::encodeName(path).toStdString());
    QVERIFY2(st.ok(), st.error().c_str());
}

void writeBytes(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

void screenshot(QWidget* w, const QString& name)
{
    const QString dir = QDir::current().filePath(QStringLiteral("screenshots"));
    QDir().mkpath(dir);
    QVERIFY(w->grab().save(QDir(dir).filePath(name)));
}

int rowOfName(QAbstractItemModel* m, const QString& name)
{
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->index(r, ui::ModelListModel::NameColumn).data().toString() == name)
            return r;
    return -1;
}

} // namespace

class TestModelManager : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("OutpostTest"));
        QCoreApplication::setApplicationName(QStringLiteral("outpost-studio-models-test"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        writeModel(m_dir.filePath(QStringLiteral("tiny-q8.gguf")), QStringLiteral("Tiny Q8"), TensorType::Q8_0, 7, 64);
        // No general.file_type: the quantisation is the type holding most bytes.
        writeModel(m_dir.filePath(QStringLiteral("nested/deeper/small-q4k.gguf")), QStringLiteral("Small Q4K"), TensorType::Q4_K, -1, 512);
        QByteArray corrupt("GGUF");
        corrupt += QByteArray("\x03\x00\x00\x00", 4);
        corrupt += QByteArray("\xff\xff\xff\xff\xff\xff\xff\x7f", 8); // absurd tensor count
        corrupt += QByteArray(40, '\x01');
        writeBytes(m_dir.filePath(QStringLiteral("broken.gguf")), corrupt);
        writeBytes(m_dir.filePath(QStringLiteral("notes.txt")), "not a model");
        writeBytes(m_dir.filePath(QStringLiteral("empty.gguf")), QByteArray());
    }

    void inspectsOneFile()
    {
        const ui::ModelInfo info = ui::inspectModelFile(m_dir.filePath(QStringLiteral("tiny-q8.gguf")));
        QVERIFY2(info.ok(), qPrintable(info.error));
        QCOMPARE(info.name, QStringLiteral("Tiny Q8"));
        QCOMPARE(info.architecture, QStringLiteral("llama"));
        QCOMPARE(info.quantisation, QStringLiteral("Q8_0"));
        QCOMPARE(info.contextLength, qint64(2048));
        QCOMPARE(info.parameters, quint64(256 * 64 + 256));
        QCOMPARE(info.tensorCount, 2);
        QVERIFY(info.sizeBytes > 256 * 64);
        const ui::ModelInfo k = ui::inspectModelFile(m_dir.filePath(QStringLiteral("nested/deeper/small-q4k.gguf")));
        QCOMPARE(k.quantisation, QStringLiteral("Q4_K"));
        const ui::ModelInfo bad = ui::inspectModelFile(m_dir.filePath(QStringLiteral("broken.gguf")));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error.contains(QStringLiteral("broken.gguf")), qPrintable(bad.error));
        QCOMPARE(ui::fileTypeName(15), QStringLiteral("Q4_K_M"));
        QCOMPARE(ui::formatParameters(1'100'000'000ULL), QStringLiteral("1.1 B"));
    }

    void scansWithoutBlocking()
    {
        ui::ModelManager manager;
        QAbstractItemModelTester sourceTester(manager.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(manager.proxyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        manager.setSearchOtherApps(false);
        manager.setFolders({m_dir.path()});
        QSignalSpy finished(&manager, &ui::ModelManager::scanFinished);
        manager.rescan();
        // rescan() returned at once: the worker thread does the reading.
        QVERIFY(manager.isScanning());
        QCOMPARE(finished.count(), 0);
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(!manager.isScanning());

        ui::ModelListModel* model = manager.model();
        QCOMPARE(model->rowCount(), 4); // two models, broken.gguf, empty.gguf; notes.txt ignored
        const int tiny = rowOfName(model, QStringLiteral("Tiny Q8"));
        QVERIFY(tiny >= 0);
        QCOMPARE(model->index(tiny, ui::ModelListModel::ArchitectureColumn).data().toString(), QStringLiteral("llama"));
        QCOMPARE(model->index(tiny, ui::ModelListModel::QuantisationColumn).data().toString(), QStringLiteral("Q8_0"));
        QCOMPARE(model->index(tiny, ui::ModelListModel::ContextColumn).data(ui::ModelListModel::SortRole).toLongLong(), 2048);
        const int broken = rowOfName(model, QStringLiteral("broken"));
        QVERIFY(broken >= 0);
        const QString error = model->index(broken, 0).data(ui::ModelListModel::ErrorRole).toString();
        QVERIFY2(error.contains(QStringLiteral("broken.gguf")), qPrintable(error));
        QVERIFY(!model->index(rowOfName(model, QStringLiteral("empty")), 0).data(ui::ModelListModel::ErrorRole).toString().isEmpty());

        // Filter and sort through the proxy.
        QSortFilterProxyModel* proxy = manager.proxyModel();
        proxy->setFilterFixedString(QStringLiteral("q4_k"));
        QCOMPARE(proxy->rowCount(), 1);
        QCOMPARE(proxy->index(0, ui::ModelListModel::NameColumn).data().toString(), QStringLiteral("Small Q4K"));
        proxy->setFilterFixedString(QString());
        manager.view()->sortByColumn(ui::ModelListModel::SizeColumn, Qt::DescendingOrder);
        QCOMPARE(proxy->index(0, ui::ModelListModel::NameColumn).data().toString(), QStringLiteral("Small Q4K"));
        QCOMPARE(proxy->index(3, ui::ModelListModel::NameColumn).data().toString(), QStringLiteral("empty"));

        manager.resize(1100, 620);
        manager.show();
        QVERIFY(QTest::qWaitForWindowExposed(&manager));
        manager.view()->selectRow(rowOfName(proxy, QStringLiteral("broken")));
        screenshot(&manager, QStringLiteral("model_manager_corrupt_selected.png"));
        manager.view()->selectRow(rowOfName(proxy, QStringLiteral("Tiny Q8")));
        screenshot(&manager, QStringLiteral("model_manager.png"));
    }

    void cancelStopsTheScan()
    {
        // The scanner itself: a cancel() before or during scan() stops it,
        // and stays in force until resetCancel().
        ui::ModelScanner scanner;
        QSignalSpy scannerDone(&scanner, &ui::ModelScanner::finished);
        QSignalSpy scannerFound(&scanner, &ui::ModelScanner::modelsFound);
        scanner.cancel();
        scanner.scan({{m_dir.path(), QStringLiteral("test"), false}});
        QCOMPARE(scannerDone.count(), 1);
        QCOMPARE(scannerDone.first().first().toBool(), true);
        QCOMPARE(scannerFound.count(), 0);
        scanner.resetCancel();
        scanner.scan({{m_dir.path(), QStringLiteral("test"), false}});
        QCOMPARE(scannerDone.last().first().toBool(), false);

        // The panel: the worker may finish these four files before the
        // cancel arrives; either way the panel ends consistent.
        ui::ModelManager manager;
        manager.setSearchOtherApps(false);
        manager.setFolders({m_dir.path()});
        QSignalSpy finished(&manager, &ui::ModelManager::scanFinished);
        manager.rescan();
        manager.cancelScan();
        QVERIFY(finished.wait(20000));
        QVERIFY(!manager.isScanning());
        if (finished.first().first().toBool())
            QVERIFY(manager.model()->rowCount() <= 4);
        else
            QCOMPARE(manager.model()->rowCount(), 4);
        // A new scan after a cancel runs to the end.
        manager.rescan();
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.last().first().toBool(), false);
        QCOMPARE(manager.model()->rowCount(), 4);
        // Rescan during a scan restarts it once the worker stops.
        manager.rescan();
        manager.rescan();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 4, 20000);
        QVERIFY(!manager.isScanning());
        QCOMPARE(manager.model()->rowCount(), 4);
    }

    void ollamaBlobsAreFoundByMagic()
    {
        QTemporaryDir blobs;
        QFile::copy(m_dir.filePath(QStringLiteral("tiny-q8.gguf")), blobs.filePath(QStringLiteral("sha256-0123abcd")));
        writeBytes(blobs.filePath(QStringLiteral("sha256-4567ef00")), "{\"license\": \"text blob\"}");
        ui::ModelScanner scanner;
        QSignalSpy found(&scanner, &ui::ModelScanner::modelsFound);
        scanner.scan({{blobs.path(), QStringLiteral("Ollama"), true}});
        QCOMPARE(found.count(), 1);
        const auto models = found.first().first().value<QList<ui::ModelInfo>>();
        QCOMPARE(models.size(), 1);
        QCOMPARE(models.first().name, QStringLiteral("Tiny Q8"));
        QCOMPARE(models.first().source, QStringLiteral("Ollama"));
    }

    void hubSymlinksKeepTheirNames()
    {
        // The Hugging Face hub layout: snapshots/<rev>/<name>.gguf -> ../../blobs/<hash>
        QTemporaryDir hub;
        QDir().mkpath(hub.filePath(QStringLiteral("models--x--y/blobs")));
        QDir().mkpath(hub.filePath(QStringLiteral("models--x--y/snapshots/abc")));
        const QString blob = hub.filePath(QStringLiteral("models--x--y/blobs/0f1e2d3c"));
        QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("tiny-q8.gguf")), blob));
        QVERIFY(QFile::link(QStringLiteral("../../blobs/0f1e2d3c"), hub.filePath(QStringLiteral("models--x--y/snapshots/abc/tiny-q8.gguf"))));
        QVERIFY(QFile::link(QStringLiteral("tiny-q8.gguf"), hub.filePath(QStringLiteral("models--x--y/snapshots/abc/again.gguf"))));
        ui::ModelScanner scanner;
        QSignalSpy found(&scanner, &ui::ModelScanner::modelsFound);
        scanner.scan({{hub.path(), QStringLiteral("Hugging Face"), false}});
        QList<ui::ModelInfo> models;
        for (const auto& args : found)
            models += args.first().value<QList<ui::ModelInfo>>();
        QCOMPARE(models.size(), 1); // two links, one file
        QVERIFY2(models.first().path.endsWith(QStringLiteral(".gguf")), qPrintable(models.first().path));
        QVERIFY(models.first().path.contains(QStringLiteral("/snapshots/abc/")));
        QVERIFY(models.first().ok());
        QCOMPARE(models.first().sizeBytes, QFileInfo(blob).size());
    }

    void splitModelsAreOneRow()
    {
        QTemporaryDir dir;
        for (int part = 0; part < 3; ++part) {
            GgufWriter w;
            if (part == 0) {
                w.setString("general.architecture", "llama");
                w.setUInt32("llama.context_length", 4096);
            }
            w.setUInt16("split.no", std::uint16_t(part));
            w.setUInt16("split.count", 3);
            std::vector<std::byte> data(256 * 4);
            // (not "t" + to_string: GCC 12 warns falsely on that concatenation at -O3)
            std::string name = "t";
            name += std::to_string(part);
            QVERIFY(w.addTensor(name, {256}, TensorType::F32, data).ok());
            const QString path = dir.filePath(QStringLiteral("big-model-%1-of-00003.gguf").arg(part + 1, 5, 10, QLatin1Char('0')));
            QVERIFY(w.writeFile(QFile::encodeName(path).toStdString()).ok());
        }
        ui::ModelScanner scanner;
        QSignalSpy found(&scanner, &ui::ModelScanner::modelsFound);
        scanner.scan({{dir.path(), QStringLiteral("test"), false}});
        QList<ui::ModelInfo> models;
        for (const auto& args : found)
            models += args.first().value<QList<ui::ModelInfo>>();
        QCOMPARE(models.size(), 1);
        const ui::ModelInfo& m = models.first();
        QVERIFY2(m.ok(), qPrintable(m.error));
        QCOMPARE(m.name, QStringLiteral("big-model"));
        QCOMPARE(m.splitCount, 3);
        QCOMPARE(m.parameters, quint64(3 * 256));
        QCOMPARE(m.tensorCount, 3);
        QCOMPARE(m.quantisation, QStringLiteral("F32"));
        qint64 total = 0;
        for (const QFileInfo& f : QDir(dir.path()).entryInfoList(QDir::Files))
            total += f.size();
        QCOMPARE(m.sizeBytes, total);
        // A missing part is the model's error.
        QVERIFY(QFile::remove(dir.filePath(QStringLiteral("big-model-00003-of-00003.gguf"))));
        const ui::ModelInfo broken = ui::inspectModelFile(dir.filePath(QStringLiteral("big-model-00001-of-00003.gguf")));
        QVERIFY2(broken.error.contains(QStringLiteral("part 3 of 3 is missing")), qPrintable(broken.error));
    }

    void loadUnloadAndSettings()
    {
        ui::ModelManager manager;
        manager.setSearchOtherApps(false);
        manager.setFolders({m_dir.path()});
        QSignalSpy finished(&manager, &ui::ModelManager::scanFinished);
        manager.rescan();
        QVERIFY(finished.wait(20000));

        QSignalSpy load(&manager, &ui::ModelManager::loadRequested);
        QSignalSpy unload(&manager, &ui::ModelManager::unloadRequested);
        QSignalSpy changed(&manager, &ui::ModelManager::engineSettingsChanged);
        auto* threads = manager.findChildren<QSpinBox*>().value(0);
        QVERIFY(threads);
        threads->setValue(6);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().first().value<ui::EngineSettings>().threads, 6);
        QCOMPARE(ui::EngineSettings::load().threads, 6);

        const int row = rowOfName(manager.proxyModel(), QStringLiteral("Tiny Q8"));
        manager.view()->selectRow(row);
        QPushButton* loadButton = nullptr;
        QPushButton* unloadButton = nullptr;
        for (QPushButton* b : manager.findChildren<QPushButton*>()) {
            if (b->text() == QStringLiteral("&Load"))
                loadButton = b;
            if (b->text() == QStringLiteral("&Unload"))
                unloadButton = b;
        }
        QVERIFY(loadButton && unloadButton);
        QVERIFY(loadButton->isEnabled());
        QVERIFY(!unloadButton->isEnabled());
        loadButton->click();
        QCOMPARE(load.count(), 1);
        const QString path = load.first().at(0).toString();
        QVERIFY(path.endsWith(QStringLiteral("tiny-q8.gguf")));
        QCOMPARE(load.first().at(1).value<ui::EngineSettings>().threads, 6);

        // The engine reports back; the row is marked and Unload is offered.
        manager.setLoadedModel(path);
        QVERIFY(manager.model()->index(manager.model()->rowOf(path), 0).data(ui::ModelListModel::LoadedRole).toBool());
        QVERIFY(!loadButton->isEnabled());
        QVERIFY(unloadButton->isEnabled());
        unloadButton->click();
        QCOMPARE(unload.count(), 1);

        // Broken files cannot be loaded.
        manager.view()->selectRow(rowOfName(manager.proxyModel(), QStringLiteral("broken")));
        QVERIFY(!loadButton->isEnabled());

        // Settings outlive the panel; nonsense in the file is clamped.
        QSettings().setValue(QStringLiteral("engine/kvBudgetMiB"), -5);
        QCOMPARE(ui::EngineSettings::load().kvBudgetMiB, ui::EngineSettings::kMinKvBudgetMiB);
        QCOMPARE(ui::ModelManager().folders(), QStringList{QDir::cleanPath(m_dir.path())});
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestModelManager)
#include "test_model_manager.moc"
