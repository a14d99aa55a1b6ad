#pragma once
// The open project's manifest (outpost.json) at a glance.
#include "core/project/project.h"

#include <QList>
#include <QWidget>

class QFormLayout;
class QLabel;

namespace outpost::ui {

class ManifestView : public QWidget {
    Q_OBJECT

public:
    explicit ManifestView(QWidget* parent = nullptr);

    void setProject(const core::Project* project);

    QString nameText() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    QFormLayout* m_form;
    QList<QLabel*> m_labels;
    QLabel* m_name;
    QLabel* m_version;
    QLabel* m_model;
    QLabel* m_description;
    QLabel* m_folder;
};

} // namespace outpost::ui
