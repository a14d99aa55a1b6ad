// The alarm editor on the offscreen platform, against a real ActorRuntime
// with a manual clock: a schedule added in the editor fires in the runtime
// when the clock passes it, cron previews list the next five fire times,
// bad input is refused inline, and cancel removes a schedule.
#include "core/actor/actor_runtime.h"
#include "core/alarms/clock.h"
#include "ui/schedule/alarm_editor.h"
#include "ui/schedule/schedule_model.h"
#include "ui/schedule/timeline_strip.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <mutex>

using namespace outpost;
namespace actor = outpost::core::actor;

namespace {

std::atomic<int> g_fired{0};
std::mutex g_mutex;
std::string g_lastPayload;

class Pinger final : public actor::Actor {
public:
    actor::Result<actor::Json> onMessage(actor::ActorContext&, const actor::Json& message) override { return message; }
    actor::Status onCallback(actor::ActorContext&, const std::string& callback, const actor::Json& payload) override
    {
        if (callback != "ping")
            return actor::Error{"unknown callback " + callback};
        {
            std::lock_guard lock(g_mutex);
            g_lastPayload = payload.dump();
        }
        g_fired.fetch_add(1);
        return {};
    }
};

void screenshot(QWidget* w, const QString& name)
{
    const QString dir = QDir::current().filePath(QStringLiteral("screenshots"));
    QDir().mkpath(dir);
    QVERIFY(w->grab().save(QDir(dir).filePath(name)));
}

} // namespace

class TestAlarmEditor : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_clock = std::make_shared<core::alarms::ManualClock>();
        actor::RuntimeOptions options;
        options.rootDir = m_dir.path().toStdString();
        options.shards = 1;
        options.clock = m_clock;
        m_runtime = std::make_unique<actor::ActorRuntime>(options);
        QVERIFY(m_runtime->registerClass("pinger", [] { return std::make_unique<Pinger>(); }).ok());
        QVERIFY(m_runtime->start().ok());
        auto id = actor::ActorId::fromName("pinger", "one");
        QVERIFY(id.ok());
        m_id = *id;
    }

    void cleanupTestCase()
    {
        m_runtime->stop();
        m_runtime.reset();
    }

    void addedScheduleFires()
    {
        ui::AlarmEditor editor;
        QAbstractItemModelTester tester(editor.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        editor.setTarget(m_runtime.get(), m_id);
        QCOMPARE(editor.nowMs(), m_clock->nowMs());
        QCOMPARE(editor.model()->rowCount(), 0);

        editor.kindCombo()->setCurrentIndex(ui::AlarmEditor::DelayKind);
        editor.delaySpin()->setValue(90);
        editor.delayUnitCombo()->setCurrentIndex(ui::AlarmEditor::Seconds);
        editor.callbackEdit()->setText(QStringLiteral("ping"));
        editor.payloadEdit()->setText(QStringLiteral("{\"n\": 7}"));
        QCOMPARE(editor.previewTimes(), QList<qint64>{m_clock->nowMs() + 90'000});
        QSignalSpy added(&editor, &ui::AlarmEditor::scheduleAdded);
        editor.addButton()->click();
        QCOMPARE(added.count(), 1);
        QCOMPARE(editor.model()->rowCount(), 1);
        const QModelIndex row = editor.model()->index(0, ui::ScheduleModel::CallbackColumn);
        QCOMPARE(row.data().toString(), QStringLiteral("ping"));
        QCOMPARE(row.data(ui::ScheduleModel::NextMsRole).toLongLong(), m_clock->nowMs() + 90'000);
        QCOMPARE(editor.model()->index(0, ui::ScheduleModel::PayloadColumn).data().toString(), QStringLiteral("{\"n\":7}"));
        QVERIFY(editor.timeline()->visibleMarks() >= 2); // the schedule and the preview

        editor.resize(1000, 560);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        screenshot(&editor, QStringLiteral("alarm_editor_delay.png"));

        // Not yet due: nothing fires.
        m_clock->advance(60'000);
        QVERIFY(editor.refresh());
        QCOMPARE(g_fired.load(), 0);
        QCOMPARE(editor.model()->rowCount(), 1);
        // Due: the runtime delivers it and the schedule is gone.
        m_clock->advance(31'000);
        QTRY_COMPARE_WITH_TIMEOUT(g_fired.load(), 1, 20000);
        {
            std::lock_guard lock(g_mutex);
            QCOMPARE(g_lastPayload, std::string("{\"n\":7}"));
        }
        QTRY_VERIFY_WITH_TIMEOUT(editor.refresh() && editor.model()->rowCount() == 0, 20000);
    }

    void cronPreviewAndCancel()
    {
        ui::AlarmEditor editor;
        QAbstractItemModelTester tester(editor.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        editor.setTarget(m_runtime.get(), m_id);
        editor.kindCombo()->setCurrentIndex(ui::AlarmEditor::CronKind);
        editor.zoneCombo()->setCurrentIndex(1); // UTC
        editor.cronEdit()->setText(QStringLiteral("*/15 * * * *"));
        const QList<qint64> times = editor.previewTimes();
        QCOMPARE(times.size(), 5);
        QCOMPARE(editor.previewList()->count(), 5);
        QVERIFY(times.first() > editor.nowMs());
        QCOMPARE(times.first() % (15 * 60'000), 0);
        for (int i = 1; i < times.size(); ++i)
            QCOMPARE(times[i] - times[i - 1], 15 * 60'000);

        // Bad input is refused inline and adds nothing.
        editor.callbackEdit()->setText(QStringLiteral("ping"));
        editor.cronEdit()->setText(QStringLiteral("61 * * * *"));
        QVERIFY(editor.previewTimes().isEmpty());
        QCOMPARE(editor.addSchedule(), QString());
        QVERIFY2(editor.message().contains(QStringLiteral("minute")), qPrintable(editor.message()));
        editor.cronEdit()->setText(QStringLiteral("0 9 * * mon-fri"));
        editor.payloadEdit()->setText(QStringLiteral("{not json"));
        QCOMPARE(editor.addSchedule(), QString());
        QVERIFY2(editor.message().contains(QStringLiteral("JSON")), qPrintable(editor.message()));
        editor.payloadEdit()->clear();

        const QString cronId = editor.addSchedule();
        QVERIFY2(!cronId.isEmpty(), qPrintable(editor.message()));
        editor.kindCombo()->setCurrentIndex(ui::AlarmEditor::DateKind);
        editor.dateEdit()->setDateTime(QDateTime::fromMSecsSinceEpoch(m_clock->nowMs() + 2 * 3'600'000));
        QCOMPARE(editor.previewTimes().size(), 1);
        const QString dateId = editor.addSchedule();
        QVERIFY(!dateId.isEmpty());
        QCOMPARE(editor.model()->rowCount(), 2);
        editor.resize(1000, 560);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.kindCombo()->setCurrentIndex(ui::AlarmEditor::CronKind);
        editor.cronEdit()->setText(QStringLiteral("*/20 * * * *"));
        screenshot(&editor, QStringLiteral("alarm_editor_cron.png"));

        QSignalSpy cancelled(&editor, &ui::AlarmEditor::scheduleCancelled);
        QVERIFY(editor.cancelSchedule(cronId));
        QCOMPARE(cancelled.count(), 1);
        QCOMPARE(editor.model()->rowCount(), 1);
        QCOMPARE(editor.model()->index(0, 0).data(ui::ScheduleModel::IdRole).toString(), dateId);
        // Cancel through the selection and the button.
        editor.view()->selectRow(0);
        QVERIFY(editor.cancelButton()->isEnabled());
        editor.cancelButton()->click();
        QCOMPARE(editor.model()->rowCount(), 0);
        QVERIFY(!editor.cancelSchedule(dateId)); // already gone
    }

    void worksWithAnInMemoryRuntime()
    {
        // No database file: the editor reads through the actor (callFn).
        actor::RuntimeOptions options;
        options.shards = 1;
        options.clock = std::make_shared<core::alarms::ManualClock>();
        actor::ActorRuntime runtime(options);
        QVERIFY(runtime.registerClass("pinger", [] { return std::make_unique<Pinger>(); }).ok());
        QVERIFY(runtime.start().ok());
        ui::AlarmEditor editor;
        QAbstractItemModelTester tester(editor.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        editor.setTarget(&runtime, m_id);
        editor.callbackEdit()->setText(QStringLiteral("ping"));
        QVERIFY(!editor.addSchedule().isEmpty());
        QCOMPARE(editor.model()->rowCount(), 1);
        QVERIFY(editor.refresh());
        QCOMPARE(editor.model()->rowCount(), 1);
        editor.clearTarget();
        QCOMPARE(editor.model()->rowCount(), 0);
        runtime.stop();
    }

    void noTargetIsHarmless()
    {
        ui::AlarmEditor editor;
        QVERIFY(!editor.refresh());
        QCOMPARE(editor.addSchedule(), QString());
        QVERIFY(!editor.addButton()->isEnabled());
        editor.resize(900, 480);
        screenshot(&editor, QStringLiteral("alarm_editor_empty.png"));
    }

private:
    QTemporaryDir m_dir;
    std::shared_ptr<core::alarms::ManualClock> m_clock;
    std::unique_ptr<actor::ActorRuntime> m_runtime;
    actor::ActorId m_id;
};

QTEST_MAIN(TestAlarmEditor)
#include "test_alarm_editor.moc"
