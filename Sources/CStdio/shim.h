// Small C helpers for the command-line tool.
#include <stdio.h>

// Line-buffers standard output so progress lines reach pipes and log files as they happen.
static inline void accordion_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
