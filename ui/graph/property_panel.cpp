#include "ui/graph/property_panel.h"

#include "core/agent/node_types.h"
#include "ui/graph/graph_document.h"
#include "ui/graph/graph_items.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <climits>
#include <cmath>

namespace outpost::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

const core::GraphNode* findNode(const GraphDocument* d, const std::string& id)
{
    return d->graph().node(id);
}

} // namespace

PropertyPanel::PropertyPanel(GraphDocument* document, QWidget* parent) : QWidget(parent), m_document(document)
{
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setMargin(16);
    m_placeholder->setEnabled(false);
    m_layout->addWidget(m_placeholder);
    setMinimumWidth(240);
    rebuild();
}

QWidget* PropertyPanel::editor(const std::string& name) const
{
    const auto it = m_fields.find(name);
    return it == m_fields.end() ? nullptr : it->second.editor;
}

void PropertyPanel::showNode(const std::string& id)
{
    const core::GraphNode* node = findNode(m_document, id);
    if (node && id == m_nodeId && node->type == m_nodeType && m_form) {
        refreshValues();
        return;
    }
    // An edit still being typed belongs to the node shown so far. Applying
    // it may come back here (the document changes); then the form is
    // already the one wanted.
    if (!m_inCommit) {
        m_inCommit = true;
        commitPending();
        m_inCommit = false;
        node = findNode(m_document, id);
        if (node && id == m_nodeId && node->type == m_nodeType && m_form) {
            refreshValues();
            return;
        }
    }
    m_nodeId = node ? id : std::string();
    m_nodeType = node ? node->type : std::string();
    rebuild();
}

void PropertyPanel::clearForm()
{
    // Focus-out commits must not run on a form being torn down.
    for (auto& [name, field] : m_fields)
        if (field.editor)
            field.editor->removeEventFilter(this);
    m_fields.clear();
    if (m_form) {
        // Hiding takes focus away, which would apply edits to a node that
        // may be gone; nothing of the old form may reach the document now.
        for (QWidget* w : m_form->findChildren<QWidget*>())
            w->blockSignals(true);
        m_form->hide();
        m_form->deleteLater();
        m_form = nullptr;
    }
    m_idEdit = nullptr;
    m_title = nullptr;
    m_description = nullptr;
    m_problems = nullptr;
}

void PropertyPanel::rebuild()
{
    clearForm();
    const core::GraphNode* node = findNode(m_document, m_nodeId);
    const core::NodeTypeSpec* spec = node ? core::findNodeType(node->type) : nullptr;
    m_placeholder->setVisible(!node);
    m_placeholder->setText(tr("Select a node to edit its properties."));
    if (!node)
        return;

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* content = new QWidget(scroll);
    auto* column = new QVBoxLayout(content);
    column->setContentsMargins(10, 10, 10, 10);
    m_title = new QLabel(content);
    QFont tf = m_title->font();
    tf.setBold(true);
    tf.setPointSizeF(tf.pointSizeF() * 1.2);
    m_title->setFont(tf);
    m_title->setText(spec ? QCoreApplication::translate("outpost::core::NodeTypes", spec->title) : qs(node->type));
    if (spec) {
        const QColor accent = categoryColor(spec->category);
        m_title->setStyleSheet(QStringLiteral("border-left: 4px solid %1; padding-left: 6px;").arg(accent.name()));
    }
    column->addWidget(m_title);
    m_description = new QLabel(content);
    m_description->setWordWrap(true);
    m_description->setText(spec ? QCoreApplication::translate("outpost::core::NodeTypes", spec->description)
                                : tr("Unknown node type \"%1\".").arg(qs(node->type)));
    QPalette dp = m_description->palette();
    dp.setColor(QPalette::WindowText, dp.color(QPalette::PlaceholderText));
    m_description->setPalette(dp);
    column->addWidget(m_description);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignLeft);
    m_idEdit = new QLineEdit(content);
    m_idEdit->setText(qs(node->id));
    m_idEdit->setToolTip(tr("The node's id, unique in the graph; edges and the runtime refer to it."));
    connect(m_idEdit, &QLineEdit::editingFinished, this, &PropertyPanel::commitRename);
    {
        // Same right edge as the property rows, which end in a reset button.
        auto* row = new QHBoxLayout;
        row->setContentsMargins(0, 0, 0, 0);
        row->addWidget(m_idEdit, 1);
        auto* spacer = new QToolButton(content);
        spacer->setAutoRaise(true);
        spacer->setText(QStringLiteral("↺"));
        QSizePolicy keep = spacer->sizePolicy();
        keep.setRetainSizeWhenHidden(true);
        spacer->setSizePolicy(keep);
        spacer->hide();
        row->addWidget(spacer);
        form->addRow(tr("Id"), row);
    }
    auto* typeLabel = new QLabel(qs(node->type), content);
    typeLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Type"), typeLabel);

    if (spec) {
        for (const core::PropertySpec& p : spec->properties) {
            Field field;
            const std::string key = p.name;
            const std::string nodeId = m_nodeId;
            GraphDocument* doc = m_document;
            // The value shown: the node's own, else the default.
            const auto value = [doc, nodeId, key]() -> core::Json {
                const core::GraphNode* n = doc->graph().node(nodeId);
                return n ? doc->graph().property(*n, key) : core::Json();
            };
            const auto set = [doc, nodeId, key](core::Json v) { doc->setProperty(nodeId, key, std::move(v)); };

            switch (p.kind) {
            case core::PropertyKind::String: {
                auto* e = new QLineEdit(content);
                if (p.defaultValue.is_string())
                    e->setPlaceholderText(qs(p.defaultValue.get<std::string>()));
                field.editor = e;
                // An unset property shows empty, with the default as placeholder;
                // emptying the field goes back to the default.
                const auto own = [doc, nodeId, key]() -> core::Json {
                    const core::GraphNode* n = doc->graph().node(nodeId);
                    if (!n)
                        return nullptr;
                    const auto it = n->properties.find(key);
                    return it == n->properties.end() ? core::Json() : *it;
                };
                field.load = [e, own] {
                    const core::Json v = own();
                    const QString text = v.is_string() ? qs(v.get<std::string>()) : v.is_null() ? QString() : qs(v.dump());
                    if (e->text() != text)
                        e->setText(text);
                };
                field.commit = [e, own, set, doc, nodeId, key] {
                    const std::string text = e->text().toStdString();
                    const core::Json now = own();
                    if (now.is_string() && now.get<std::string>() == text)
                        return;
                    if (text.empty()) {
                        doc->setProperty(nodeId, key, std::nullopt);
                        return;
                    }
                    set(text);
                };
                connect(e, &QLineEdit::editingFinished, this, field.commit);
                break;
            }
            case core::PropertyKind::Text:
            case core::PropertyKind::Object: {
                auto* e = new QPlainTextEdit(content);
                e->setTabChangesFocus(true);
                e->setMinimumHeight(p.kind == core::PropertyKind::Text ? 90 : 70);
                e->setMaximumHeight(160);
                if (p.kind == core::PropertyKind::Object) {
                    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
                    e->setFont(mono);
                    e->setPlaceholderText(QStringLiteral("{ }"));
                }
                field.editor = e;
                const bool object = p.kind == core::PropertyKind::Object;
                field.load = [e, value, object] {
                    const core::Json v = value();
                    QString text;
                    if (object)
                        text = v.is_null() ? QString() : qs(v.dump(2));
                    else
                        text = v.is_string() ? qs(v.get<std::string>()) : v.is_null() ? QString() : qs(v.dump());
                    if (e->toPlainText() != text)
                        e->setPlainText(text);
                    e->setStyleSheet(QString());
                };
                field.commit = [this, e, value, set, doc, nodeId, key, object] {
                    const std::string text = e->toPlainText().toStdString();
                    if (!object) {
                        const core::Json now = value();
                        if (!(now.is_string() && now.get<std::string>() == text))
                            set(text);
                        return;
                    }
                    if (e->toPlainText().trimmed().isEmpty()) {
                        doc->setProperty(nodeId, key, std::nullopt);
                        return;
                    }
                    core::Json parsed = core::Json::parse(text, nullptr, false);
                    if (parsed.is_discarded() || !parsed.is_object()) {
                        e->setStyleSheet(QStringLiteral("QPlainTextEdit { border: 1px solid #dc3545; }"));
                        emit message(tr("\"%1\" must be a JSON object; the change was not applied").arg(qs(key)));
                        return;
                    }
                    e->setStyleSheet(QString());
                    if (parsed != value())
                        set(std::move(parsed));
                };
                e->installEventFilter(this);
                break;
            }
            case core::PropertyKind::Integer: {
                auto* e = new QSpinBox(content);
                e->setKeyboardTracking(false);
                e->setRange(p.hasRange ? static_cast<int>(std::max<double>(p.minimum, INT_MIN)) : INT_MIN,
                            p.hasRange ? static_cast<int>(std::min<double>(p.maximum, INT_MAX)) : INT_MAX);
                field.editor = e;
                field.load = [e, value] {
                    const core::Json v = value();
                    const QSignalBlocker block(e);
                    e->setValue(v.is_number() ? static_cast<int>(std::clamp<double>(v.get<double>(), INT_MIN, INT_MAX)) : 0);
                };
                connect(e, &QSpinBox::valueChanged, this, [value, set](int v) {
                    const core::Json now = value();
                    if (!(now.is_number_integer() && now.get<long long>() == v))
                        set(v);
                });
                break;
            }
            case core::PropertyKind::Number: {
                auto* e = new QDoubleSpinBox(content);
                e->setKeyboardTracking(false);
                e->setDecimals(3);
                e->setRange(p.hasRange ? p.minimum : -1e12, p.hasRange ? p.maximum : 1e12);
                e->setSingleStep(p.hasRange && p.maximum - p.minimum <= 2 ? 0.05 : 1);
                field.editor = e;
                field.load = [e, value] {
                    const core::Json v = value();
                    const QSignalBlocker block(e);
                    e->setValue(v.is_number() ? v.get<double>() : 0);
                };
                connect(e, &QDoubleSpinBox::valueChanged, this, [value, set](double v) {
                    // Keep the spin box's precision, so 0.7 stays 0.7 in the file.
                    const double rounded = std::round(v * 1000.0) / 1000.0;
                    const core::Json now = value();
                    if (!(now.is_number() && now.get<double>() == rounded))
                        set(rounded);
                });
                break;
            }
            case core::PropertyKind::Boolean: {
                auto* e = new QCheckBox(content);
                field.editor = e;
                field.load = [e, value] {
                    const QSignalBlocker block(e);
                    const core::Json v = value();
                    e->setChecked(v.is_boolean() && v.get<bool>());
                };
                connect(e, &QCheckBox::toggled, this, [set](bool on) { set(on); });
                break;
            }
            case core::PropertyKind::Choice: {
                auto* e = new QComboBox(content);
                for (const auto& c : p.choices)
                    e->addItem(qs(c), qs(c));
                field.editor = e;
                field.load = [e, value] {
                    const QSignalBlocker block(e);
                    const core::Json v = value();
                    e->setCurrentIndex(v.is_string() ? e->findData(qs(v.get<std::string>())) : -1);
                };
                connect(e, &QComboBox::currentIndexChanged, this, [e, set](int index) {
                    if (index >= 0)
                        set(e->itemData(index).toString().toStdString());
                });
                break;
            }
            case core::PropertyKind::StringList: {
                auto* box = new QWidget(content);
                auto* h = new QVBoxLayout(box);
                h->setContentsMargins(0, 0, 0, 0);
                auto* list = new QListWidget(box);
                list->setMaximumHeight(110);
                list->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                                      | QAbstractItemView::SelectedClicked);
                auto* buttons = new QHBoxLayout;
                auto* add = new QToolButton(box);
                add->setText(tr("Add"));
                auto* del = new QToolButton(box);
                del->setText(tr("Remove"));
                buttons->addWidget(add);
                buttons->addWidget(del);
                buttons->addStretch();
                h->addWidget(list);
                h->addLayout(buttons);
                field.editor = list;
                field.load = [list, value] {
                    const QSignalBlocker block(list);
                    const core::Json v = value();
                    list->clear();
                    if (v.is_array())
                        for (const auto& item : v) {
                            auto* it = new QListWidgetItem(item.is_string() ? qs(item.get<std::string>()) : qs(item.dump()), list);
                            it->setFlags(it->flags() | Qt::ItemIsEditable);
                        }
                };
                const auto commitList = [list, value, set] {
                    core::Json arr = core::Json::array();
                    for (int i = 0; i < list->count(); ++i)
                        arr.push_back(list->item(i)->text().toStdString());
                    if (arr != value())
                        set(std::move(arr));
                };
                connect(list, &QListWidget::itemChanged, this, commitList);
                connect(add, &QToolButton::clicked, this, [list, commitList] {
                    {
                        const QSignalBlocker block(list);
                        auto* it = new QListWidgetItem(tr("item"), list);
                        it->setFlags(it->flags() | Qt::ItemIsEditable);
                    }
                    commitList();
                });
                connect(del, &QToolButton::clicked, this, [list, commitList] {
                    const int row = list->currentRow();
                    if (row < 0)
                        return;
                    {
                        const QSignalBlocker block(list);
                        delete list->takeItem(row);
                    }
                    commitList();
                });
                field.editor = list;
                form->addRow(new QLabel(QCoreApplication::translate("outpost::core::NodeTypes", p.label), content), box);
                break;
            }
            }

            QString tip = QStringLiteral("%1 (%2)").arg(qs(p.name), core::propertyKindName(p.kind));
            if (p.hasRange)
                tip += QLatin1Char(' ') + tr("from %1 to %2").arg(p.minimum).arg(p.maximum);
            if (p.required)
                tip += QLatin1Char(' ') + tr("— required");
            field.editor->setToolTip(tip);
            field.reset = new QToolButton(content);
            field.reset->setText(QStringLiteral("↺"));
            field.reset->setAutoRaise(true);
            field.reset->setToolTip(tr("Reset to the default value"));
            // Hidden when the default applies, but still holding its place so
            // the editors keep one right edge.
            QSizePolicy keep = field.reset->sizePolicy();
            keep.setRetainSizeWhenHidden(true);
            field.reset->setSizePolicy(keep);
            connect(field.reset, &QToolButton::clicked, this, [doc, nodeId, key] { doc->setProperty(nodeId, key, std::nullopt); });
            QString labelText = QCoreApplication::translate("outpost::core::NodeTypes", p.label);
            if (p.required)
                labelText += QStringLiteral(" *");
            if (p.kind != core::PropertyKind::StringList) {
                auto* row = new QHBoxLayout;
                row->setContentsMargins(0, 0, 0, 0);
                row->addWidget(field.editor, 1);
                row->addWidget(field.reset, 0, Qt::AlignTop);
                field.label = new QLabel(labelText, content);
                field.label->setToolTip(tip);
                form->addRow(field.label, row);
            } else {
                // The list's row was added above; put its reset button beside the label.
                field.label = qobject_cast<QLabel*>(form->itemAt(form->rowCount() - 1, QFormLayout::LabelRole)->widget());
                if (field.label)
                    field.label->setText(labelText);
                if (auto* box = field.editor->parentWidget())
                    if (auto* bl = qobject_cast<QVBoxLayout*>(box->layout()))
                        if (auto* buttons = qobject_cast<QHBoxLayout*>(bl->itemAt(1)->layout()))
                            buttons->addWidget(field.reset);
            }
            m_fields[key] = std::move(field);
        }
    }
    column->addLayout(form);
    m_problems = new QLabel(content);
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(QStringLiteral("color: #dc3545;"));
    column->addWidget(m_problems);
    column->addStretch(1);
    scroll->setWidget(content);
    m_form = scroll;
    m_layout->addWidget(scroll);
    refreshValues();
}

void PropertyPanel::refreshValues()
{
    const core::GraphNode* node = findNode(m_document, m_nodeId);
    if (!node || !m_form)
        return;
    if (m_idEdit && !m_idEdit->hasFocus())
        m_idEdit->setText(qs(node->id));
    for (auto& [key, field] : m_fields) {
        if (field.load)
            field.load();
        const bool set = node->properties.contains(key);
        if (field.reset)
            field.reset->setVisible(set);
        if (field.label) {
            QFont f = field.label->font();
            f.setItalic(!set);
            field.label->setFont(f);
        }
    }
    const QStringList problems = m_document->problemsOfNode(m_nodeId);
    if (m_problems) {
        m_problems->setText(problems.join(QLatin1Char('\n')));
        m_problems->setVisible(!problems.isEmpty());
    }
}

void PropertyPanel::commitRename()
{
    if (!m_idEdit)
        return;
    const std::string wanted = m_idEdit->text().trimmed().toStdString();
    if (wanted == m_nodeId)
        return;
    const std::string old = m_nodeId;
    const QString why = m_document->renameNode(old, wanted);
    if (!why.isEmpty()) {
        emit message(tr("Not renamed: %1").arg(why));
        m_idEdit->setText(qs(old));
        return;
    }
    showNode(wanted);
}

void PropertyPanel::commitPending()
{
    if (m_idEdit && m_idEdit->hasFocus()) {
        commitRename();
        return;
    }
    for (auto& [key, field] : m_fields) {
        const auto* line = qobject_cast<const QLineEdit*>(field.editor);
        const bool pending = field.editor && (field.editor->hasFocus() || (line && line->isModified()));
        if (field.commit && pending) {
            const auto commit = field.commit;
            commit();
            return;
        }
    }
}

bool PropertyPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::FocusOut) {
        for (auto& [key, field] : m_fields)
            if (field.editor == watched && field.commit) {
                // Copy: the commit may rebuild the form.
                const auto commit = field.commit;
                commit();
                break;
            }
    }
    return QWidget::eventFilter(watched, event);
}

void PropertyPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        rebuild();
    QWidget::changeEvent(event);
}

} // namespace outpost::ui
