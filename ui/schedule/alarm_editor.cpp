#include "ui/schedule/alarm_editor.h"

#include "core/actor/actor_runtime.h"
#include "ui/inspect/inspect_database.h"
#include "ui/schedule/schedule_model.h"
#include "ui/schedule/timeline_strip.h"

#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QEvent>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace outpost::ui {

using core::actor::Actor;
using core::actor::ActorContext;
using core::actor::Json;
using core::alarms::CronExpression;
using core::alarms::Schedule;
using core::alarms::When;

namespace {
constexpr int kPreviewCount = 5;
constexpr qint64 kUnitMs[] = {1000, 60'000, 3'600'000, 86'400'000};

QString formatTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("ddd yyyy-MM-dd HH:mm:ss"));
}
} // namespace

AlarmEditor::AlarmEditor(QWidget* parent)
    : QWidget(parent), m_model(new ScheduleModel(this)), m_refreshTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("AlarmEditor"));
    m_refreshTimer->setInterval(1000);
    connect(m_refreshTimer, &QTimer::timeout, this, [this] {
        if (m_runtime)
            refresh();
    });

    m_title = new QLabel(this);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_timeline = new TimelineStrip(this);
    m_view = new QTableView(this);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AlarmEditor::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &AlarmEditor::updateButtons);

    m_cancelButton = new QPushButton(QIcon::fromTheme(QStringLiteral("edit-delete")), QString(), this);
    connect(m_cancelButton, &QPushButton::clicked, this, [this] { cancelSchedule(); });
    auto* deleteKey = new QShortcut(QKeySequence::Delete, m_view);
    deleteKey->setContext(Qt::WidgetShortcut);
    connect(deleteKey, &QShortcut::activated, this, [this] { cancelSchedule(); });
    m_refreshButton = new QPushButton(QIcon::fromTheme(QStringLiteral("view-refresh")), QString(), this);
    connect(m_refreshButton, &QPushButton::clicked, this, &AlarmEditor::refresh);
    auto* listButtons = new QHBoxLayout;
    listButtons->addStretch(1);
    listButtons->addWidget(m_refreshButton);
    listButtons->addWidget(m_cancelButton);

    // ---- the form ----
    m_formBox = new QGroupBox(this);
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_kindLabel = new QLabel(m_formBox);
    m_kind = new QComboBox(m_formBox);
    m_kind->addItems({QString(), QString(), QString()});
    m_whenLabel = new QLabel(m_formBox);
    m_whenStack = new QStackedWidget(m_formBox);
    auto* delayPage = new QWidget(m_whenStack);
    m_delay = new QSpinBox(delayPage);
    m_delay->setRange(0, 1'000'000);
    m_delay->setValue(30);
    m_delayUnit = new QComboBox(delayPage);
    m_delayUnit->addItems({QString(), QString(), QString(), QString()});
    auto* delayLayout = new QHBoxLayout(delayPage);
    delayLayout->setContentsMargins(0, 0, 0, 0);
    delayLayout->addWidget(m_delay, 1);
    delayLayout->addWidget(m_delayUnit);
    m_date = new QDateTimeEdit(m_whenStack);
    m_date->setCalendarPopup(true);
    m_date->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_date->setDateTime(QDateTime::currentDateTime().addSecs(3600));
    auto* cronPage = new QWidget(m_whenStack);
    m_cron = new QLineEdit(QStringLiteral("*/15 * * * *"), cronPage);
    m_zone = new QComboBox(cronPage);
    m_zone->addItems({QString(), QString()});
    m_zone->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* cronLayout = new QHBoxLayout(cronPage);
    cronLayout->setContentsMargins(0, 0, 0, 0);
    cronLayout->addWidget(m_cron, 1);
    cronLayout->addWidget(m_zone);
    m_whenStack->addWidget(delayPage);
    m_whenStack->addWidget(m_date);
    m_whenStack->addWidget(cronPage);
    connect(m_kind, &QComboBox::currentIndexChanged, m_whenStack, &QStackedWidget::setCurrentIndex);

    m_callbackLabel = new QLabel(m_formBox);
    m_callback = new QLineEdit(m_formBox);
    m_payloadLabel = new QLabel(m_formBox);
    m_payload = new QLineEdit(m_formBox);
    m_previewLabel = new QLabel(m_formBox);
    m_previewList = new QListWidget(m_formBox);
    m_previewList->setMaximumHeight(m_previewList->fontMetrics().height() * (kPreviewCount + 1) + 8);
    m_previewList->setSelectionMode(QAbstractItemView::NoSelection);
    m_previewList->setFocusPolicy(Qt::NoFocus);
    m_addButton = new QPushButton(QIcon::fromTheme(QStringLiteral("list-add")), QString(), m_formBox);
    m_addButton->setDefault(true);
    connect(m_addButton, &QPushButton::clicked, this, [this] { addSchedule(); });
    m_message = new QLabel(m_formBox);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_form->addRow(m_kindLabel, m_kind);
    m_form->addRow(m_whenLabel, m_whenStack);
    m_form->addRow(m_callbackLabel, m_callback);
    m_form->addRow(m_payloadLabel, m_payload);
    m_form->addRow(m_previewLabel, m_previewList);
    auto* formLayout = new QVBoxLayout(m_formBox);
    formLayout->addLayout(m_form);
    auto* addRow = new QHBoxLayout;
    addRow->addWidget(m_message, 1);
    addRow->addWidget(m_addButton, 0, Qt::AlignTop);
    formLayout->addLayout(addRow);
    formLayout->addStretch(1);

    for (QObject* sender : std::initializer_list<QObject*>{m_kind, m_delayUnit, m_zone})
        connect(static_cast<QComboBox*>(sender), &QComboBox::currentIndexChanged, this, &AlarmEditor::updatePreview);
    connect(m_delay, &QSpinBox::valueChanged, this, &AlarmEditor::updatePreview);
    connect(m_date, &QDateTimeEdit::dateTimeChanged, this, &AlarmEditor::updatePreview);
    connect(m_cron, &QLineEdit::textChanged, this, &AlarmEditor::updatePreview);
    connect(m_callback, &QLineEdit::textChanged, this, &AlarmEditor::updateButtons);

    auto* listSide = new QWidget(this);
    auto* listLayout = new QVBoxLayout(listSide);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(m_view, 1);
    listLayout->addLayout(listButtons);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(listSide);
    split->addWidget(m_formBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 400});
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_timeline);
    layout->addWidget(split, 1);

    retranslate();
    updatePreview();
    updateButtons();
}

AlarmEditor::~AlarmEditor() = default;

void AlarmEditor::setTarget(core::actor::ActorRuntime* runtime, const core::actor::ActorId& id)
{
    m_runtime = runtime;
    m_id = id;
    // A date a little ahead of the runtime's own "now" (which a test or a
    // replay may have moved away from the wall clock).
    m_date->setDateTime(QDateTime::fromMSecsSinceEpoch(nowMs()).addSecs(3600));
    retranslate();
    refresh();
    if (isVisible())
        m_refreshTimer->start();
}

void AlarmEditor::clearTarget()
{
    m_runtime = nullptr;
    m_id = {};
    m_refreshTimer->stop();
    m_model->setSchedules({});
    retranslate();
    updateTimeline();
    updateButtons();
}

qint64 AlarmEditor::nowMs() const
{
    if (m_runtime && m_runtime->options().clock)
        return m_runtime->options().clock->nowMs();
    return QDateTime::currentMSecsSinceEpoch();
}

std::optional<AlarmEditor::Draft> AlarmEditor::draft(QString* error) const
{
    Draft d;
    const QString callback = m_callback->text().trimmed();
    const QString payload = m_payload->text().trimmed();
    if (!payload.isEmpty()) {
        try {
            d.payload = nlohmann::json::parse(payload.toStdString());
        } catch (const std::exception& e) {
            *error = tr("The payload is not valid JSON: %1").arg(QString::fromUtf8(e.what()));
            return std::nullopt;
        }
    }
    switch (m_kind->currentIndex()) {
    case DelayKind:
        d.when = When::delay(qint64(m_delay->value()) * kUnitMs[qBound(0, m_delayUnit->currentIndex(), 3)]);
        break;
    case DateKind:
        d.when = When::at(m_date->dateTime().toMSecsSinceEpoch());
        break;
    default: {
        const std::string text = m_cron->text().trimmed().toStdString();
        auto parsed = CronExpression::parse(text);
        if (!parsed) {
            *error = QString::fromStdString(parsed.error());
            return std::nullopt;
        }
        d.when = When::every(text, m_zone->currentIndex() == 1 ? CronExpression::Zone::Utc : CronExpression::Zone::Local);
    }
    }
    if (callback.isEmpty()) {
        *error = tr("Name the callback the actor should run.");
        return std::nullopt;
    }
    d.callback = callback.toStdString();
    return d;
}

void AlarmEditor::updatePreview()
{
    m_preview.clear();
    m_previewList->clear();
    const qint64 now = nowMs();
    QString error;
    switch (m_kind->currentIndex()) {
    case DelayKind:
        m_preview << now + qint64(m_delay->value()) * kUnitMs[qBound(0, m_delayUnit->currentIndex(), 3)];
        break;
    case DateKind:
        m_preview << m_date->dateTime().toMSecsSinceEpoch();
        break;
    default: {
        auto parsed = CronExpression::parse(m_cron->text().trimmed().toStdString());
        if (!parsed) {
            error = QString::fromStdString(parsed.error());
            break;
        }
        const auto zone = m_zone->currentIndex() == 1 ? CronExpression::Zone::Utc : CronExpression::Zone::Local;
        qint64 after = now;
        for (int i = 0; i < kPreviewCount; ++i) {
            auto next = parsed->nextAfter(after, zone);
            if (!next)
                break;
            m_preview << *next;
            after = *next;
        }
        if (m_preview.isEmpty())
            error = tr("This expression never fires.");
    }
    }
    for (qint64 t : m_preview) {
        QString text = formatTime(t);
        if (t <= now)
            text += QStringLiteral("  ") + tr("(in the past: fires at once)");
        m_previewList->addItem(text);
    }
    if (!error.isEmpty()) {
        auto* item = new QListWidgetItem(error, m_previewList);
        item->setForeground(QColor(0xc0, 0x39, 0x2b));
    }
    updateTimeline();
    updateButtons();
}

void AlarmEditor::updateTimeline()
{
    QList<TimelineStrip::Mark> marks;
    const qint64 now = nowMs();
    for (const Schedule& s : m_model->schedules()) {
        const QString label = QString::fromStdString(s.callback);
        const auto kind = s.failed ? TimelineStrip::Mark::Failed : TimelineStrip::Mark::Scheduled;
        marks.push_back({s.nextMs, label, kind});
        if (s.kind == core::alarms::ScheduleKind::Cron && !s.failed) {
            // A cron schedule stores only its next time; draw a few more.
            if (auto parsed = CronExpression::parse(s.cron)) {
                qint64 after = s.nextMs;
                for (int i = 0; i < 3; ++i) {
                    auto next = parsed->nextAfter(after, s.utc ? CronExpression::Zone::Utc : CronExpression::Zone::Local);
                    if (!next)
                        break;
                    marks.push_back({*next, QString(), kind, false});
                    after = *next;
                }
            }
        }
    }
    for (qint64 t : m_preview)
        marks.push_back({t, tr("new"), TimelineStrip::Mark::Preview});
    m_timeline->setMarks(now, marks);
}

namespace {

// The schedules as committed in the actor's database file, read with a
// read-only connection of our own; nullopt when there is no file (an
// in-memory runtime, or an instance that never stored anything).
std::optional<std::vector<Schedule>> readCommitted(const QString& path, QString* error)
{
    if (path.isEmpty() || !QFileInfo::exists(path))
        return std::nullopt;
    auto db = InspectDatabase::open(path, InspectDatabase::Mode::ReadOnly, error);
    if (!db)
        return std::nullopt;
    std::vector<Schedule> list;
    if (!db->hasTable(QStringLiteral("_outpost_schedules")))
        return list;
    const auto rows = db->query(QStringLiteral(
        "SELECT id, kind, callback, payload, next_ms, cron, utc, attempts, state, last_error, created_ms"
        " FROM _outpost_schedules ORDER BY next_ms, id"));
    if (!rows.ok()) {
        *error = rows.error;
        return std::nullopt;
    }
    for (const QVariantList& r : rows.rows) {
        Schedule s;
        s.id = r.value(0).toString().toStdString();
        s.kind = static_cast<core::alarms::ScheduleKind>(qBound(0, r.value(1).toInt(), 2));
        s.callback = r.value(2).toString().toStdString();
        try {
            s.payload = nlohmann::json::parse(r.value(3).toString().toStdString());
        } catch (const std::exception&) {
            s.payload = nullptr;
        }
        s.nextMs = r.value(4).toLongLong();
        s.cron = r.value(5).toString().toStdString();
        s.utc = r.value(6).toInt() != 0;
        s.attempts = r.value(7).toInt();
        s.failed = r.value(8).toInt() == 2;
        s.lastError = r.value(9).toString().toStdString();
        s.createdMs = r.value(10).toLongLong();
        list.push_back(std::move(s));
    }
    return list;
}

} // namespace

bool AlarmEditor::refresh()
{
    if (!m_runtime) {
        m_model->setSchedules({});
        return false;
    }
    // Prefer the committed file: reading it does not wake a hibernating
    // actor (the editor refreshes every second while shown). The runtime
    // replies only after a commit, so after addSchedule()/cancelSchedule()
    // the file already holds the change.
    QString error;
    auto committed = readCommitted(QString::fromStdString(m_runtime->databasePath(m_id)), &error);
    std::vector<Schedule> list;
    if (committed) {
        list = std::move(*committed);
    } else {
        // callFn blocks until the actor's shard has run the function, so
        // `list` outlives its use.
        auto r = m_runtime->callFn(m_id, [&list](Actor&, ActorContext& ctx) -> core::actor::Result<Json> {
            auto s = ctx.getSchedules();
            if (!s)
                return core::actor::Error{s.error()};
            list = std::move(*s);
            return Json(nullptr);
        });
        if (!r) {
            showMessage(tr("Cannot read the schedules: %1").arg(QString::fromStdString(r.error())), true);
            return false;
        }
    }
    const QString selected = m_view->currentIndex().data(ScheduleModel::IdRole).toString();
    const bool reset = list.size() != m_model->schedules().size();
    m_model->setSchedules(std::move(list));
    if (reset)
        m_view->resizeColumnsToContents();
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (m_model->index(row, 0).data(ScheduleModel::IdRole).toString() == selected)
            m_view->selectRow(row);
    updatePreview();
    return true;
}

QString AlarmEditor::addSchedule()
{
    if (!m_runtime)
        return {};
    QString error;
    auto d = draft(&error);
    if (!d) {
        showMessage(error, true);
        return {};
    }
    std::string id;
    auto r = m_runtime->callFn(m_id, [&id, &d](Actor&, ActorContext& ctx) -> core::actor::Result<Json> {
        auto added = ctx.schedule(d->when, d->callback, d->payload);
        if (!added)
            return core::actor::Error{added.error()};
        id = *added;
        return Json(nullptr);
    });
    if (!r) {
        showMessage(tr("The schedule was not added: %1").arg(QString::fromStdString(r.error())), true);
        return {};
    }
    const QString qid = QString::fromStdString(id);
    refresh();
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (m_model->index(row, 0).data(ScheduleModel::IdRole).toString() == qid)
            m_view->selectRow(row);
    showMessage(tr("Added schedule %1.").arg(qid.left(8)), false);
    emit scheduleAdded(qid);
    return qid;
}

bool AlarmEditor::cancelSchedule(const QString& id)
{
    const QString target = id.isEmpty() ? m_view->currentIndex().data(ScheduleModel::IdRole).toString() : id;
    if (!m_runtime || target.isEmpty())
        return false;
    bool existed = false;
    auto r = m_runtime->callFn(m_id, [&existed, key = target.toStdString()](Actor&, ActorContext& ctx) -> core::actor::Result<Json> {
        auto c = ctx.cancelSchedule(key);
        if (!c)
            return core::actor::Error{c.error()};
        existed = *c;
        return Json(nullptr);
    });
    if (!r) {
        showMessage(tr("The schedule was not cancelled: %1").arg(QString::fromStdString(r.error())), true);
        return false;
    }
    refresh();
    showMessage(existed ? tr("Cancelled schedule %1.").arg(target.left(8)) : tr("Schedule %1 had already fired or been cancelled.").arg(target.left(8)),
                false);
    if (existed)
        emit scheduleCancelled(target);
    return existed;
}

void AlarmEditor::updateButtons()
{
    m_addButton->setEnabled(m_runtime && !m_callback->text().trimmed().isEmpty());
    m_cancelButton->setEnabled(m_runtime && m_view->selectionModel()->hasSelection());
    m_refreshButton->setEnabled(m_runtime);
}

void AlarmEditor::showMessage(const QString& text, bool error)
{
    m_message->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
    m_message->setText(text);
}

QString AlarmEditor::message() const
{
    return m_message->text();
}

void AlarmEditor::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_runtime)
        m_refreshTimer->start();
}

void AlarmEditor::hideEvent(QHideEvent* event)
{
    m_refreshTimer->stop();
    QWidget::hideEvent(event);
}

void AlarmEditor::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void AlarmEditor::retranslate()
{
    m_title->setText(m_runtime ? tr("Schedules of <b>%1</b>").arg(QString::fromStdString(m_id.className() + "/" + m_id.hex()).toHtmlEscaped())
                               : tr("No instance selected"));
    m_formBox->setTitle(tr("New schedule"));
    m_kindLabel->setText(tr("Fires:"));
    m_kind->setItemText(DelayKind, tr("After a delay"));
    m_kind->setItemText(DateKind, tr("At a date"));
    m_kind->setItemText(CronKind, tr("Repeatedly (cron)"));
    m_whenLabel->setText(tr("When:"));
    m_delayUnit->setItemText(Seconds, tr("seconds"));
    m_delayUnit->setItemText(Minutes, tr("minutes"));
    m_delayUnit->setItemText(Hours, tr("hours"));
    m_delayUnit->setItemText(Days, tr("days"));
    m_cron->setToolTip(tr("minute hour day-of-month month day-of-week, e.g. \"0 9 * * mon-fri\""));
    m_zone->setItemText(0, tr("Local time"));
    m_zone->setItemText(1, tr("UTC"));
    m_callbackLabel->setText(tr("Callback:"));
    m_callback->setPlaceholderText(tr("the actor's callback name"));
    m_payloadLabel->setText(tr("Payload:"));
    m_payload->setPlaceholderText(tr("JSON, optional"));
    m_previewLabel->setText(tr("Next fires:"));
    m_addButton->setText(tr("&Add"));
    m_cancelButton->setText(tr("&Cancel Schedule"));
    m_refreshButton->setText(tr("Re&fresh"));
    // Column titles and kind names come from the model; make views ask again.
    emit m_model->headerDataChanged(Qt::Horizontal, 0, ScheduleModel::ColumnCount - 1);
    if (m_model->rowCount() > 0)
        emit m_model->dataChanged(m_model->index(0, 0), m_model->index(m_model->rowCount() - 1, ScheduleModel::ColumnCount - 1));
    updatePreview();
}

} // namespace outpost::ui
