/* banned.h - functions that are easy to misuse with untrusted input (git's
 * banned.h). `make dev` force-includes this file (-include banned.h) after
 * nothing else, so every later use of a banned name expands to an
 * undeclared identifier and the build fails with a message naming the
 * function. Use instead:
 *   strcpy, strcat, strncpy  ->  tm_buf_add*(), memcpy with a checked length,
 *                                tm_arena_strndup()
 *   sprintf, vsprintf        ->  snprintf / tm_buf_addf / tm_arena_printf
 *   gets                     ->  fgets / fread into a tm_buf
 *   atoi, atol               ->  strtol / strtoll with errno and end checks
 *   strtok                   ->  strtok_r or explicit scanning (not reentrant)
 *
 * The system headers are included first so that their own declarations of
 * these names are not rewritten. */
#ifndef TM_BANNED_H
#define TM_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANNED(func) sorry_##func##_is_a_banned_function_see_banned_h

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef strtok
#define strtok(x, y) BANNED(strtok)

#endif
