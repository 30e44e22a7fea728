/* tcp_options.h - the TCP options of one segment (RFC 9293 3.2, RFC 7323,
 * RFC 2018, RFC 7413). Pure C: the core and the epan layer both use it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_TCP_OPTIONS_H
#define TCPLIFE_TCP_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    TL_OPT_MSS = 1u << 0,
    TL_OPT_WSCALE = 1u << 1,
    TL_OPT_SACK_PERM = 1u << 2,
    TL_OPT_SACK = 1u << 3,
    TL_OPT_TIMESTAMP = 1u << 4,
    TL_OPT_TFO = 1u << 5,         /* Fast Open: kind 34, or the experimental 254/0xF989 */
    TL_OPT_MALFORMED = 1u << 6    /* a length that runs past the options */
};

typedef struct {
    uint8_t present;              /* TL_OPT_* */
    uint8_t wscale;               /* shift, capped at 14 (RFC 7323 2.3) */
    uint16_t mss;
    uint32_t tsval, tsecr;
    uint8_t tfo_cookie_len;       /* 0 with TL_OPT_TFO: a cookie request */
    uint8_t tfo_experimental;     /* the TFO option was 254/0xF989 (pre-RFC 7413 Linux) */
    const uint8_t *tfo_cookie;    /* its bytes, inside the parsed option bytes */
} tl_tcp_options_t;

/* Parse `len` option bytes (what follows the 20-byte fixed header). */
void tl_tcp_options_parse(const uint8_t *options, unsigned len, tl_tcp_options_t *out);

#ifdef __cplusplus
}
#endif

#endif
