#include "ui/graph/node_palette.h"

#include "core/agent/node_types.h"
#include "ui/graph/graph_items.h"

#include <QCoreApplication>
#include <QEvent>
#include <QHeaderView>
#include <QMimeData>
#include <QPainter>

#include <algorithm>

namespace outpost::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QIcon swatch(const QColor& color)
{
    QPixmap pm(32, 32);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    p.drawRoundedRect(QRectF(6, 6, 20, 20), 5, 5);
    return QIcon(pm);
}

} // namespace

QString NodePalette::categoryTitle(const std::string& category)
{
    if (category == "flow")
        return NodePalette::tr("Flow");
    if (category == "model")
        return NodePalette::tr("Models");
    if (category == "tools")
        return NodePalette::tr("Tools");
    if (category == "memory")
        return NodePalette::tr("Memory");
    if (category == "state")
        return NodePalette::tr("State");
    return qs(category);
}

NodePalette::NodePalette(QWidget* parent) : QTreeWidget(parent)
{
    setHeaderHidden(true);
    setRootIsDecorated(false);
    setIndentation(8);
    setDragEnabled(true);
    setDragDropMode(QAbstractItemView::DragOnly);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setUniformRowHeights(true);
    setIconSize(QSize(16, 16));
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString type = item->data(0, TypeRole).toString();
        if (!type.isEmpty())
            emit nodeTypeActivated(type);
    });
    rebuild();
}

void NodePalette::rebuild()
{
    clear();
    std::vector<std::string> categories;
    for (const auto& spec : core::nodeTypes())
        if (std::find(categories.begin(), categories.end(), spec.category) == categories.end())
            categories.push_back(spec.category);
    for (const auto& category : categories) {
        auto* group = new QTreeWidgetItem(this, {categoryTitle(category)});
        group->setFlags(Qt::ItemIsEnabled);
        QFont f = group->font(0);
        f.setBold(true);
        group->setFont(0, f);
        for (const auto& spec : core::nodeTypes()) {
            if (spec.category != category)
                continue;
            auto* item = new QTreeWidgetItem(group, {QCoreApplication::translate("outpost::core::NodeTypes", spec.title)});
            item->setData(0, TypeRole, qs(spec.type));
            item->setIcon(0, swatch(categoryColor(spec.category)));
            item->setToolTip(0, QStringLiteral("%1\n(%2)").arg(QCoreApplication::translate("outpost::core::NodeTypes", spec.description),
                                                               qs(spec.type)));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
        }
        group->setExpanded(true);
    }
}

QTreeWidgetItem* NodePalette::itemForType(const QString& type) const
{
    for (int g = 0; g < topLevelItemCount(); ++g)
        for (int i = 0; i < topLevelItem(g)->childCount(); ++i)
            if (topLevelItem(g)->child(i)->data(0, TypeRole).toString() == type)
                return topLevelItem(g)->child(i);
    return nullptr;
}

QStringList NodePalette::mimeTypes() const
{
    return {QLatin1String(kMimeType)};
}

QMimeData* NodePalette::mimeData(const QList<QTreeWidgetItem*>& items) const
{
    if (items.isEmpty() || items.front()->data(0, TypeRole).toString().isEmpty())
        return nullptr;
    auto* data = new QMimeData;
    data->setData(QLatin1String(kMimeType), items.front()->data(0, TypeRole).toString().toUtf8());
    return data;
}

void NodePalette::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        rebuild();
    QTreeWidget::changeEvent(event);
}

} // namespace outpost::ui
