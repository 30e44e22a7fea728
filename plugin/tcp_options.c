/* tcp_options.c - parse the TCP options of one segment (see tcp_options.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcp_options.h"

#include <string.h>

enum { KIND_END = 0, KIND_NOP = 1, KIND_MSS = 2, KIND_WSCALE = 3, KIND_SACK_PERM = 4,
       KIND_SACK = 5, KIND_TIMESTAMP = 8, KIND_TFO = 34, KIND_EXPERIMENTAL = 254 };

#define TFO_EXPERIMENT_ID 0xF989

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void tl_tcp_options_parse(const uint8_t *opt, unsigned len, tl_tcp_options_t *out)
{
    memset(out, 0, sizeof *out);
    for (unsigned i = 0; opt && i < len;) {
        uint8_t kind = opt[i];
        if (kind == KIND_END)
            break;
        if (kind == KIND_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len) {
            out->present |= TL_OPT_MALFORMED;
            break;
        }
        unsigned size = opt[i + 1];
        const uint8_t *v = opt + i + 2;
        switch (kind) {
        case KIND_MSS:
            if (size == 4) {
                out->present |= TL_OPT_MSS;
                out->mss = (uint16_t)(v[0] << 8 | v[1]);
            }
            break;
        case KIND_WSCALE:
            if (size == 3) {
                out->present |= TL_OPT_WSCALE;
                out->wscale = v[0] > 14 ? 14 : v[0];
            }
            break;
        case KIND_SACK_PERM:
            if (size == 2)
                out->present |= TL_OPT_SACK_PERM;
            break;
        case KIND_SACK:
            out->present |= TL_OPT_SACK;
            break;
        case KIND_TIMESTAMP:
            if (size == 10) {
                out->present |= TL_OPT_TIMESTAMP;
                out->tsval = be32(v);
                out->tsecr = be32(v + 4);
            }
            break;
        case KIND_TFO:
            out->present |= TL_OPT_TFO;
            out->tfo_cookie_len = (uint8_t)(size - 2);
            out->tfo_cookie = v;
            break;
        case KIND_EXPERIMENTAL:
            if (size >= 4 && (v[0] << 8 | v[1]) == TFO_EXPERIMENT_ID) {
                out->present |= TL_OPT_TFO;
                out->tfo_cookie_len = (uint8_t)(size - 4);
                out->tfo_cookie = v + 2;
                out->tfo_experimental = 1;
            }
            break;
        default:
            break;
        }
        i += size;
    }
}
