#pragma once
// The studio's colour theme: the system's palette, or Outpost's own light or
// dark palette. Qt 6.4 has no colour-scheme query, so "System" means the
// style and palette the platform gave the application at start-up (a dark
// desktop theme through the platform theme plugin, QT_QPA_PLATFORMTHEME,
// gives a dark one); Light and Dark use the Fusion style, whose drawing
// follows the palette everywhere, with a fixed palette.
//
// Widgets that paint with their own colours (plots, the graph editor, the
// block map) take them from the palette and repaint on
// QEvent::PaletteChange, which QApplication::setPalette() sends to every
// widget.
#include <QPalette>
#include <QString>

namespace outpost::ui {

enum class Theme { System, Light, Dark };

// "system", "light", "dark" (the values kept in the settings).
QString themeKey(Theme theme);
// The theme of a settings value; System for anything else.
Theme themeFromKey(const QString& key);

// Remembers the platform's style and palette for Theme::System. Call once
// after the QApplication exists, before applyTheme() (applyTheme() calls
// it itself when nobody did).
void captureSystemTheme();
// Sets the application's style and palette. Cheap when the theme is already
// the current one.
void applyTheme(Theme theme);
Theme currentTheme();

// The palettes of Light and Dark.
QPalette lightPalette();
QPalette darkPalette();
// True when a palette's window colour is darker than its text (the UI looks
// dark), whatever theme gave it.
bool isDark(const QPalette& palette);

} // namespace outpost::ui
