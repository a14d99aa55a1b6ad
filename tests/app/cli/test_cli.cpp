// The `outpost` executable as a user runs it: exit codes, messages, output.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int code = -1;
    QString out;
    QString err;
};

Run outpost(const QStringList& args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LANGUAGE"), QStringLiteral("en"));
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(OUTPOST_CLI), args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        return {};
    }
    Run r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void helpListsCommands()
    {
        const Run r = outpost({QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        for (const char* command : {"init", "validate", "devices", "model-info"})
            QVERIFY2(r.out.contains(QLatin1String("  ") + QLatin1String(command) + QLatin1Char(' ')), qPrintable(r.out));
        QCOMPARE(outpost({}).code, 2);
        const Run unknown = outpost({QStringLiteral("frobnicate")});
        QCOMPARE(unknown.code, 2);
        QVERIFY(unknown.err.contains(QStringLiteral("unknown command 'frobnicate'")));
        QVERIFY(outpost({QStringLiteral("--version")}).out.startsWith(QStringLiteral("outpost ")));
    }

    void initThenValidate()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath(QStringLiteral("demo"));
        const Run init = outpost({QStringLiteral("init"), project});
        QVERIFY2(init.code == 0, qPrintable(init.err));
        const Run validate = outpost({QStringLiteral("validate"), project});
        QVERIFY2(validate.code == 0, qPrintable(validate.err));
        QVERIFY(validate.out.contains(QStringLiteral("demo 0.1.0")));
        // A second init into the same folder refuses and changes nothing.
        QCOMPARE(outpost({QStringLiteral("init"), project}).code, 1);
    }

    void validateReportsPlaces()
    {
        QTemporaryDir dir;
        QCOMPARE(outpost({QStringLiteral("init"), QStringLiteral("--empty"), dir.path(), QStringLiteral("--name"), QStringLiteral("p")}).code, 0);
        writeFile(dir.filePath(QStringLiteral("agents/bad.agent.json")), "{\n  \"schemaVersion\": 1,\n  \"name\": }\n");
        writeFile(dir.filePath(QStringLiteral("agents/worse.agent.json")),
                  R"({"schemaVersion":1,"name":"worse","nodes":[{"id":"in","type":"inptu"}],"edges":[]})");
        const Run r = outpost({QStringLiteral("validate"), dir.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("agents/bad.agent.json:3:11: error: not valid JSON")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("agents/worse.agent.json: /nodes/0/type: error: unknown node type \"inptu\"")), qPrintable(r.err));

        const Run json = outpost({QStringLiteral("validate"), QStringLiteral("--json"), dir.path()});
        QCOMPARE(json.code, 1);
        const QJsonObject doc = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(doc.value(QStringLiteral("ok")).toBool(true), false);
        QVERIFY(doc.value(QStringLiteral("diagnostics")).toArray().size() >= 2);
    }

    void validateMissingProject()
    {
        const Run r = outpost({QStringLiteral("validate"), QStringLiteral("/nonexistent/project")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("no such folder")));
        QCOMPARE(outpost({QStringLiteral("validate")}).code, 2);
    }

    void modelInfoDescribesTheTinyModel()
    {
        const QString model = QStringLiteral(OUTPOST_SHARED_DIR "/models/stories260K.gguf");
        if (!QFileInfo::exists(model))
            QSKIP("shared/models/stories260K.gguf is absent");
        const Run r = outpost({QStringLiteral("model-info"), model, QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject info = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(info.value(QStringLiteral("architecture")).toString(), QStringLiteral("llama"));
        QCOMPARE(info.value(QStringLiteral("parameters")).toInteger(), 292800);
        QCOMPARE(info.value(QStringLiteral("block_count")).toInt(), 5);
        QCOMPARE(info.value(QStringLiteral("tokenizer")).toObject().value(QStringLiteral("vocab_size")).toInt(), 512);
        const Run text = outpost({QStringLiteral("model-info"), model});
        QCOMPARE(text.code, 0);
        QVERIFY(text.out.contains(QStringLiteral("llama")));
    }

    void modelInfoCutsLongChatTemplates()
    {
        // A GGUF header with no tensors, whose chat template is one line of
        // 6,000 characters (as many real templates are): the text form
        // shows its start and says how long it is; --json has it whole.
        QByteArray gguf("GGUF");
        auto u32 = [&](quint32 v) { gguf.append(reinterpret_cast<const char*>(&v), 4); };
        auto u64 = [&](quint64 v) { gguf.append(reinterpret_cast<const char*>(&v), 8); };
        auto str = [&](const QByteArray& s) { u64(static_cast<quint64>(s.size())); gguf.append(s); };
        const QByteArray longTemplate = "{{ bos_token }}" + QByteArray(6000 - 15, 'x');
        u32(3);
        u64(0);
        u64(2);
        str("general.architecture");
        u32(8);
        str("llama");
        str("tokenizer.chat_template");
        u32(8);
        str(longTemplate);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("template.gguf"));
        writeFile(file, gguf);
        const Run text = outpost({QStringLiteral("model-info"), file});
        QVERIFY2(text.code == 0, qPrintable(text.err));
        QVERIFY2(text.out.contains(QStringLiteral("{{ bos_token }}xxx")), qPrintable(text.out));
        QVERIFY2(text.out.size() < 2000, qPrintable(text.out));
        QVERIFY2(text.out.contains(QStringLiteral("the template is 6000 characters long")), qPrintable(text.out));
        const Run json = outpost({QStringLiteral("model-info"), file, QStringLiteral("--json")});
        QVERIFY2(json.code == 0, qPrintable(json.err));
        QCOMPARE(QJsonDocument::fromJson(json.out.toUtf8()).object().value(QStringLiteral("chat_template")).toString().size(), 6000);
    }

    void modelInfoRefusesNonGguf()
    {
        QTemporaryDir dir;
        const QString bogus = dir.filePath(QStringLiteral("bogus.gguf"));
        writeFile(bogus, "GGUF\x03\x00\x00\x00 truncated");
        const Run r = outpost({QStringLiteral("model-info"), bogus});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("bogus.gguf")), qPrintable(r.err));
        QCOMPARE(outpost({QStringLiteral("model-info"), dir.filePath(QStringLiteral("missing.gguf"))}).code, 1);
    }

    void devicesListsTheCpu()
    {
        const Run r = outpost({QStringLiteral("devices"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonArray devices = doc.value(QStringLiteral("devices")).toArray();
        QVERIFY(!devices.isEmpty());
        QCOMPARE(devices.first().toObject().value(QStringLiteral("backend")).toString(), QStringLiteral("cpu"));
        QVERIFY(devices.first().toObject().value(QStringLiteral("memory_bytes")).toDouble() > 0);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
