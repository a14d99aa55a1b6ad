#pragma once
// The alarm editor: one actor instance's schedules in a table and on a
// timeline, a form to add one by delay, date or cron expression (with the
// next five fire times previewed), and cancel. It works against a live
// ActorRuntime: reads, adds and cancels run as events of the actor
// (ActorRuntime::callFn), so they obey the actor's input and output gates
// exactly as the actor's own calls would.
//
// Docking: new AlarmEditor(mainWindow) in a QDockWidget; call
// setTarget(runtime, id) when an instance is chosen (e.g. from
// StateInspector::instanceSelected with ActorId::fromHex) and
// clearTarget() when the runtime goes away. While shown with a target it
// re-reads the schedules every second, so fired alarms leave the list; it
// reads them from the committed database file when there is one, so a
// hibernating actor is not woken (in-memory runtimes: through callFn).
#include "core/actor/actor_id.h"
#include "core/alarms/schedule_store.h"

#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableView;
class QTimer;

namespace outpost::core::actor {
class ActorRuntime;
}

namespace outpost::ui {

class ScheduleModel;
class TimelineStrip;

class AlarmEditor : public QWidget {
    Q_OBJECT

public:
    enum KindIndex { DelayKind, DateKind, CronKind };
    enum DelayUnit { Seconds, Minutes, Hours, Days };

    explicit AlarmEditor(QWidget* parent = nullptr);
    ~AlarmEditor() override;

    // The runtime must outlive the target (or clearTarget() first).
    void setTarget(core::actor::ActorRuntime* runtime, const core::actor::ActorId& id);
    void clearTarget();
    core::actor::ActorRuntime* runtime() const { return m_runtime; }
    const core::actor::ActorId& actorId() const { return m_id; }

    // The runtime's clock (ms since the epoch), or the system clock.
    qint64 nowMs() const;

    // What the form describes, or an error message (no callback, bad JSON,
    // bad cron expression, ...).
    struct Draft {
        core::alarms::When when;
        std::string callback;
        nlohmann::json payload;
    };
    std::optional<Draft> draft(QString* error) const;
    // The next (up to five) fire times of the form's schedule.
    QList<qint64> previewTimes() const { return m_preview; }

    ScheduleModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    TimelineStrip* timeline() const { return m_timeline; }
    QComboBox* kindCombo() const { return m_kind; }
    QSpinBox* delaySpin() const { return m_delay; }
    QComboBox* delayUnitCombo() const { return m_delayUnit; }
    QDateTimeEdit* dateEdit() const { return m_date; }
    QLineEdit* cronEdit() const { return m_cron; }
    QComboBox* zoneCombo() const { return m_zone; }
    QLineEdit* callbackEdit() const { return m_callback; }
    QLineEdit* payloadEdit() const { return m_payload; }
    QPushButton* addButton() const { return m_addButton; }
    QPushButton* cancelButton() const { return m_cancelButton; }
    QListWidget* previewList() const { return m_previewList; }
    // The inline message under the form (the last error, or what was done).
    QString message() const;

public slots:
    // Re-reads the schedules from the actor. Errors show inline.
    bool refresh();
    // Adds the form's schedule; returns its id, or an empty string on error.
    QString addSchedule();
    // Cancels the schedule with this id (default: the selected one).
    bool cancelSchedule(const QString& id = {});

signals:
    void scheduleAdded(const QString& id);
    void scheduleCancelled(const QString& id);

protected:
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void retranslate();
    void updatePreview();
    void updateTimeline();
    void updateButtons();
    void showMessage(const QString& text, bool error);

    core::actor::ActorRuntime* m_runtime = nullptr;
    core::actor::ActorId m_id;
    ScheduleModel* m_model;
    QTimer* m_refreshTimer;
    QList<qint64> m_preview;

    QLabel* m_title = nullptr;
    QTableView* m_view = nullptr;
    TimelineStrip* m_timeline = nullptr;
    QGroupBox* m_formBox = nullptr;
    QFormLayout* m_form = nullptr;
    QLabel* m_kindLabel = nullptr;
    QComboBox* m_kind = nullptr;
    QLabel* m_whenLabel = nullptr;
    QStackedWidget* m_whenStack = nullptr;
    QSpinBox* m_delay = nullptr;
    QComboBox* m_delayUnit = nullptr;
    QDateTimeEdit* m_date = nullptr;
    QLineEdit* m_cron = nullptr;
    QComboBox* m_zone = nullptr;
    QLabel* m_callbackLabel = nullptr;
    QLineEdit* m_callback = nullptr;
    QLabel* m_payloadLabel = nullptr;
    QLineEdit* m_payload = nullptr;
    QLabel* m_previewLabel = nullptr;
    QListWidget* m_previewList = nullptr;
    QPushButton* m_addButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QPushButton* m_refreshButton = nullptr;
    QLabel* m_message = nullptr;
};

} // namespace outpost::ui
