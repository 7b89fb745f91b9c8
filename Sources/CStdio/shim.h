// Small C helpers for the command-line tool.
#include <stdio.h>

// Line-buffers standard output so progress lines reach pipes and log files as they happen.
static inline void accordion_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

// Flushes standard output, so that bytes written to its descriptor directly come after it.
static inline void accordion_flush_stdout(void) { fflush(stdout); }

#include <sys/ioctl.h>
#include <unistd.h>

// The width of the terminal on standard output in columns, or 0 when it is not a terminal or
// does not say.
static inline int accordion_terminal_columns(void) {
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0) return 0;
    return size.ws_col;
}

// The height of the terminal on standard output in lines, or 0 when unknown.
static inline int accordion_terminal_rows(void) {
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0) return 0;
    return size.ws_row;
}
