// `outpost memory ...` as scripts use it: JSON lines in, JSON lines out,
// exit codes, and nothing written when the input is bad.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int code = -1;
    QByteArray out;
    QString err;
    QList<QJsonObject> lines() const
    {
        QList<QJsonObject> result;
        for (const QByteArray& line : out.split('\n'))
            if (!line.trimmed().isEmpty())
                result.append(QJsonDocument::fromJson(line).object());
        return result;
    }
};

Run outpost(const QStringList& args, const QByteArray& input = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LANGUAGE"), QStringLiteral("en"));
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(OUTPOST_CLI), args);
    if (!p.waitForStarted(30000))
        return {};
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000)) {
        p.kill();
        return {};
    }
    Run r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QStringList mem(const QString& sub, const QString& project, const QStringList& more = {})
{
    return QStringList{QStringLiteral("memory"), sub, project, QStringLiteral("notes")} + more;
}

// Four points on the axes of a 4-d space, with metadata and namespaces.
QByteArray fourRecords()
{
    return "{\"id\": \"a\", \"values\": [1, 0, 0, 0], \"metadata\": {\"kind\": \"x\", \"n\": 1}}\n"
           "{\"id\": \"b\", \"values\": [0, 1, 0, 0], \"metadata\": {\"kind\": \"y\", \"n\": 2}}\n"
           "\n"
           "{\"id\": \"c\", \"values\": [0, 0, 1, 0], \"metadata\": {\"kind\": \"x\", \"n\": 3}, \"namespace\": \"ns1\"}\n"
           "{\"id\": \"d\", \"values\": [0.9, 0.1, 0, 0]}\n";
}

} // namespace

class TestMemoryCli : public QObject {
    Q_OBJECT

private slots:
    void createUpsertQueryDescribeDelete()
    {
        QTemporaryDir dir;
        const QString project = dir.path();
        Run r = outpost(mem(QStringLiteral("create"), project,
                            {QStringLiteral("--dimensions"), QStringLiteral("4"), QStringLiteral("--metric"), QStringLiteral("cosine")}));
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QDir(project + QStringLiteral("/memory/notes")).exists());
        // Creating it again is refused.
        QCOMPARE(outpost(mem(QStringLiteral("create"), project, {QStringLiteral("--dimensions"), QStringLiteral("4")})).code, 1);

        r = outpost(mem(QStringLiteral("upsert"), project), fourRecords());
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.lines().at(0).value(QStringLiteral("count")).toInt(), 4);

        r = outpost(mem(QStringLiteral("query"), project, {QStringLiteral("--top-k"), QStringLiteral("2"), QStringLiteral("--return-metadata")}),
                    "{\"values\": [1, 0, 0, 0]}\n{\"values\": [0, 0, 1, 0]}\n");
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto lines = r.lines();
        QCOMPARE(lines.size(), 2);
        const QJsonArray first = lines[0].value(QStringLiteral("matches")).toArray();
        QCOMPARE(first.size(), 2);
        QCOMPARE(first[0].toObject().value(QStringLiteral("id")).toString(), QStringLiteral("a"));
        QCOMPARE(first[1].toObject().value(QStringLiteral("id")).toString(), QStringLiteral("d"));
        QVERIFY(first[0].toObject().value(QStringLiteral("score")).toDouble() > 0.999);
        QCOMPARE(first[0].toObject().value(QStringLiteral("metadata")).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("x"));
        QCOMPARE(lines[1].value(QStringLiteral("matches")).toArray()[0].toObject().value(QStringLiteral("id")).toString(), QStringLiteral("c"));

        // Filter and namespace.
        r = outpost(mem(QStringLiteral("query"), project, {QStringLiteral("--top-k"), QStringLiteral("5"), QStringLiteral("--filter"),
                                                           QStringLiteral("{\"kind\": \"x\", \"n\": {\"$gte\": 2}}")}),
                    "{\"values\": [1, 0, 0, 0]}\n");
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QJsonArray matches = r.lines().at(0).value(QStringLiteral("matches")).toArray();
        QCOMPARE(matches.size(), 1);
        QCOMPARE(matches[0].toObject().value(QStringLiteral("id")).toString(), QStringLiteral("c"));
        QVERIFY(!matches[0].toObject().contains(QStringLiteral("metadata")));
        r = outpost(mem(QStringLiteral("query"), project, {QStringLiteral("--namespace"), QStringLiteral("ns1")}), "{\"values\": [1, 0, 0, 0]}\n");
        matches = r.lines().at(0).value(QStringLiteral("matches")).toArray();
        QCOMPARE(matches.size(), 1);
        QCOMPARE(matches[0].toObject().value(QStringLiteral("id")).toString(), QStringLiteral("c"));

        r = outpost(mem(QStringLiteral("describe"), project));
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QJsonObject info = r.lines().at(0);
        QCOMPARE(info.value(QStringLiteral("count")).toInt(), 4);
        QCOMPARE(info.value(QStringLiteral("dimension")).toInt(), 4);
        QCOMPARE(info.value(QStringLiteral("metric")).toString(), QStringLiteral("cosine"));
        QVERIFY(info.value(QStringLiteral("bytes")).toInt() >= 4 * 16);

        r = outpost(mem(QStringLiteral("delete"), project, {QStringLiteral("a"), QStringLiteral("zzz")}));
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.lines().at(0).value(QStringLiteral("deleted")).toInt(), 1);
        r = outpost(mem(QStringLiteral("query"), project, {QStringLiteral("-k"), QStringLiteral("1")}), "{\"values\": [1, 0, 0, 0]}\n");
        QCOMPARE(r.lines().at(0).value(QStringLiteral("matches")).toArray()[0].toObject().value(QStringLiteral("id")).toString(), QStringLiteral("d"));
        QCOMPARE(outpost(mem(QStringLiteral("describe"), project)).lines().at(0).value(QStringLiteral("count")).toInt(), 3);

        r = outpost({QStringLiteral("memory"), QStringLiteral("list"), project});
        QCOMPARE(r.lines().at(0).value(QStringLiteral("indexes")).toArray().at(0).toString(), QStringLiteral("notes"));
        QCOMPARE(outpost(mem(QStringLiteral("delete"), project, {QStringLiteral("--all")})).code, 0);
        QVERIFY(!QDir(project + QStringLiteral("/memory/notes")).exists());
    }

    void badInputIsRefused()
    {
        QTemporaryDir dir;
        const QString project = dir.path();
        QCOMPARE(outpost(mem(QStringLiteral("create"), project, {QStringLiteral("--dimensions"), QStringLiteral("3"),
                                                                  QStringLiteral("--metric"), QStringLiteral("euclidean")})).code, 0);
        QCOMPARE(outpost(mem(QStringLiteral("create"), project + QStringLiteral("/absent"), {QStringLiteral("--dimensions"), QStringLiteral("3")})).code, 2);
        QCOMPARE(outpost({QStringLiteral("memory"), QStringLiteral("create"), project, QStringLiteral("x"), QStringLiteral("--dimensions"),
                          QStringLiteral("3"), QStringLiteral("--metric"), QStringLiteral("manhattan")}).code, 2);
        QCOMPARE(outpost({QStringLiteral("memory"), QStringLiteral("create"), project, QStringLiteral("y"), QStringLiteral("--dimensions"),
                          QStringLiteral("5000")}).code, 1);
        QCOMPARE(outpost({QStringLiteral("memory"), QStringLiteral("frobnicate")}).code, 2);

        // A bad line anywhere: nothing written, the line is named.
        const QByteArray good = "{\"id\": \"ok\", \"values\": [1, 2, 3]}\n";
        const std::pair<QByteArray, const char*> bad[] = {
            {"{\"id\": \"x\", \"values\": [1, 2]}\n", "dimension"},
            {"{\"id\": \"x\", \"values\": [1, 2, \"3\"]}\n", "not a number"},
            {"{\"id\": \"x\", \"values\": [1, 2, 1e39]}\n", "infinite"},
            {"{\"id\": \"x\"\n", "line 2"},
            {"{\"values\": [1, 2, 3]}\n", "\"id\""},
            {"{\"id\": \"x\", \"values\": [1, 2, 3], \"metadata\": {\"t\": \"" + QByteArray(11000, 'a') + "\"}}\n", "limit"},
            {"{\"id\": \"x\", \"values\": [1, 2, 3], \"extra\": 1}\n", "unknown key"},
            {"{\"id\": \"x\", \"values\": [1, 2, 3], \"metadata\": {\"t\": " + QByteArray(200000, '[') + QByteArray(200000, ']') + "}}\n",
             "nested deeper than 512"},
        };
        for (const auto& [line, expect] : bad) {
            const Run r = outpost(mem(QStringLiteral("upsert"), project), good + line);
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains(QLatin1String(expect)), qPrintable(r.err));
        }
        QCOMPARE(outpost(mem(QStringLiteral("describe"), project)).lines().at(0).value(QStringLiteral("count")).toInt(), 0);

        QCOMPARE(outpost(mem(QStringLiteral("upsert"), project), good).code, 0);
        Run r = outpost(mem(QStringLiteral("query"), project, {QStringLiteral("--filter"), QStringLiteral("{\"a\": {\"$regex\": 1}}")}),
                        "{\"values\": [1, 2, 3]}\n");
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("unknown operator '$regex'")), qPrintable(r.err));
        QCOMPARE(outpost(mem(QStringLiteral("query"), project, {QStringLiteral("--top-k"), QStringLiteral("101")}), "").code, 2);
        r = outpost(mem(QStringLiteral("query"), project), "{\"values\": [1, 2, 3]}\n{\"values\": [1, 2]}\n");
        QCOMPARE(r.code, 1);
        QCOMPARE(r.lines().size(), 1);   // the good query before the bad one was answered
        QVERIFY2(r.err.contains(QStringLiteral("line 2")) && r.err.contains(QStringLiteral("dimension 3")), qPrintable(r.err));
        QCOMPARE(outpost({QStringLiteral("memory"), QStringLiteral("describe"), project, QStringLiteral("absent")}).code, 1);
    }
};

QTEST_GUILESS_MAIN(TestMemoryCli)
#include "test_memory_cli.moc"
