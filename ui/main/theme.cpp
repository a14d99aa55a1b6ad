#include "ui/main/theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace outpost::ui {

namespace {

struct SystemTheme {
    bool captured = false;
    QString styleName;
    QPalette palette;
    Theme current = Theme::System;
};

SystemTheme& state()
{
    static SystemTheme s;
    return s;
}

void setStyleByName(const QString& name)
{
    // Re-creating the same style would repolish every widget for nothing.
    if (QApplication::style() && QApplication::style()->name().compare(name, Qt::CaseInsensitive) == 0)
        return;
    if (QStyle* style = QStyleFactory::create(name))
        QApplication::setStyle(style);
}

} // namespace

QString themeKey(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

Theme themeFromKey(const QString& key)
{
    if (key == QLatin1String("light"))
        return Theme::Light;
    if (key == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

void captureSystemTheme()
{
    auto& s = state();
    if (s.captured)
        return;
    s.captured = true;
    s.styleName = QApplication::style() ? QApplication::style()->name() : QString();
    s.palette = QApplication::palette();
}

QPalette lightPalette()
{
    QPalette p;
    const QColor window(0xef, 0xf0, 0xf1), base(0xff, 0xff, 0xff), text(0x23, 0x26, 0x29);
    const QColor highlight(0x3d, 0xae, 0xe9), disabled(0xa0, 0xa4, 0xa8);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0xf7, 0xf7, 0xf7));
    p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xdc));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, Qt::white);
    p.setColor(QPalette::Midlight, QColor(0xe0, 0xe0, 0xe0));
    p.setColor(QPalette::Mid, QColor(0xb8, 0xbb, 0xbe));
    p.setColor(QPalette::Dark, QColor(0x88, 0x8e, 0x93));
    p.setColor(QPalette::Shadow, QColor(0x47, 0x4a, 0x4c));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x29, 0x80, 0xb9));
    p.setColor(QPalette::LinkVisited, QColor(0x7f, 0x8c, 0x8d));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2a, 0x2e, 0x32), base(0x1b, 0x1e, 0x20), text(0xe8, 0xea, 0xed);
    const QColor highlight(0x3d, 0xae, 0xe9), disabled(0x70, 0x75, 0x7a);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x23, 0x26, 0x29));
    p.setColor(QPalette::ToolTipBase, QColor(0x31, 0x36, 0x3b));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x31, 0x36, 0x3b));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    // Fusion draws bevels and frames from these: lighter ones up, darker
    // ones down, all of them near the window colour so frames stay subtle.
    p.setColor(QPalette::Light, QColor(0x40, 0x45, 0x4b));
    p.setColor(QPalette::Midlight, QColor(0x36, 0x3b, 0x40));
    p.setColor(QPalette::Mid, QColor(0x4d, 0x53, 0x59));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1c, 0x1e));
    p.setColor(QPalette::Shadow, QColor(0x10, 0x11, 0x12));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, QColor(0xfc, 0xfc, 0xfc));
    p.setColor(QPalette::Link, QColor(0x5d, 0xb4, 0xf0));
    p.setColor(QPalette::LinkVisited, QColor(0xa0, 0x8c, 0xd8));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    p.setColor(QPalette::Disabled, QPalette::Button, window);
    return p;
}

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

void applyTheme(Theme theme)
{
    captureSystemTheme();
    auto& s = state();
    switch (theme) {
    case Theme::System:
        if (!s.styleName.isEmpty())
            setStyleByName(s.styleName);
        QApplication::setPalette(s.palette);
        break;
    case Theme::Light:
        setStyleByName(QStringLiteral("Fusion"));
        QApplication::setPalette(lightPalette());
        break;
    case Theme::Dark:
        setStyleByName(QStringLiteral("Fusion"));
        QApplication::setPalette(darkPalette());
        break;
    }
    s.current = theme;
}

Theme currentTheme()
{
    return state().current;
}

} // namespace outpost::ui
