#include "ui/project/manifest_view.h"

#include <QDir>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>

namespace outpost::ui {

ManifestView::ManifestView(QWidget* parent) : QWidget(parent)
{
    m_form = new QFormLayout(this);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const auto field = [this]() {
        auto* label = new QLabel(this);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setWordWrap(true);
        return label;
    };
    m_name = field();
    m_version = field();
    m_model = field();
    m_description = field();
    m_folder = field();
    for (QLabel* value : {m_name, m_version, m_model, m_description, m_folder}) {
        auto* label = new QLabel(this);
        label->setBuddy(value);
        m_labels << label;
        m_form->addRow(label, value);
    }
    retranslate();
}

void ManifestView::retranslate()
{
    const QString labels[] = {tr("Name"), tr("Version"), tr("Default model"), tr("Description"), tr("Folder")};
    for (int row = 0; row < m_labels.size(); ++row)
        m_labels[row]->setText(labels[row]);
}

void ManifestView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void ManifestView::setProject(const core::Project* project)
{
    if (!project) {
        for (QLabel* l : {m_name, m_version, m_model, m_description, m_folder})
            l->clear();
        return;
    }
    const auto& m = project->manifest();
    m_name->setText(m.name());
    m_version->setText(m.version());
    m_model->setText(m.defaultModel().isEmpty() ? tr("none") : m.defaultModel());
    m_description->setText(m.description());
    m_folder->setText(QDir::toNativeSeparators(project->root()));
}

QString ManifestView::nameText() const
{
    return m_name->text();
}

} // namespace outpost::ui
