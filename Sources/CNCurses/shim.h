// The C side of the Terminal module: ncurses (wide-character build) plus what Swift cannot import
// from it (function-like macros, attribute bits, globals Swift 6 flags as not concurrency-safe).
//
// SwiftPM drops pkg-config's -D flags, so the wide-character API (wint_t, wget_wch, waddnwstr) must be
// switched on here, before <ncursesw/curses.h> is included.
#ifndef CLUSTERDECK_CNCURSES_SHIM_H
#define CLUSTERDECK_CNCURSES_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// MARK: Attribute bits (macros in curses.h)

static inline attr_t cd_attr_normal(void) { return A_NORMAL; }
static inline attr_t cd_attr_bold(void) { return A_BOLD; }
static inline attr_t cd_attr_reverse(void) { return A_REVERSE; }
static inline attr_t cd_attr_dim(void) { return A_DIM; }
static inline attr_t cd_attr_underline(void) { return A_UNDERLINE; }
static inline int cd_color_pair(int pair) { return (int)COLOR_PAIR(pair); }

// MARK: Globals (read through functions: Swift 6 treats the C globals as shared mutable state)

static inline WINDOW *cd_stdscr(void) { return stdscr; }
static inline WINDOW *cd_curscr(void) { return curscr; }
static inline int cd_lines(void) { return LINES; }
static inline int cd_cols(void) { return COLS; }
static inline int cd_colors(void) { return COLORS; }
static inline int cd_color_pairs(void) { return COLOR_PAIRS; }

/// getmaxyx(stdscr, y, x), as two functions.
static inline int cd_getmaxy(WINDOW *win) { return getmaxy(win); }
static inline int cd_getmaxx(WINDOW *win) { return getmaxx(win); }

// MARK: Session set-up

/// newterm on stdout/stdin with $TERM. Unlike initscr, returns NULL instead of exiting the process.
static inline SCREEN *cd_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline int cd_keypad_on(void) { return keypad(stdscr, TRUE); }
static inline int cd_nodelay_on(void) { return nodelay(stdscr, TRUE); }
static inline int cd_leaveok_on(void) { return leaveok(stdscr, TRUE); }

/// nl_langinfo(CODESET) is "UTF-8" (after setlocale(LC_ALL, "")); "utf8" spellings accepted too.
static inline int cd_codeset_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    if (codeset == NULL) return 0;
    char folded[16];
    int n = 0;
    for (int i = 0; codeset[i] != 0; i++) {
        char c = codeset[i];
        if (c == '-' || c == '_') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (n >= 15) return 0;
        folded[n++] = c;
    }
    folded[n] = 0;
    return n == 4 && folded[0] == 'U' && folded[1] == 'T' && folded[2] == 'F' && folded[3] == '8';
}

/// setlocale(LC_ALL, "").
static inline void cd_setlocale_from_environment(void) { setlocale(LC_ALL, ""); }

// MARK: Painting and keys

/// Sets the attributes and colour pair used by the next output on stdscr.
static inline int cd_set_style(attr_t attributes, int pair) {
    return wattr_set(stdscr, attributes, (short)pair, NULL);
}

/// mvaddnwstr on stdscr.
static inline int cd_put_wide(int y, int x, const wchar_t *text, int count) {
    return mvwaddnwstr(stdscr, y, x, text, count);
}

/// Display width of one wide character (-1 when not printable in this locale).
static inline int cd_wcwidth(wchar_t c) { return wcwidth(c); }

/// wget_wch on stdscr: OK (character), KEY_CODE_YES (function key) or ERR.
static inline int cd_get_wch(wint_t *out) { return wget_wch(stdscr, out); }

static inline int cd_erase(void) { return werase(stdscr); }
static inline int cd_clearok_on(void) { return clearok(curscr, TRUE); }
static inline int cd_refresh(void) {
    int r = wnoutrefresh(stdscr);
    if (r == ERR) return ERR;
    return doupdate();
}

#endif
