/* tcplife_ladder.h - the "TCP Lifecycle" flow type (Statistics > Flow Graph,
 * tshark -z flow,tcplife,network).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_LADDER_H
#define TCPLIFE_LADDER_H

#include "tcplife.h"

/* Register the flow type; its tap is "tcplife" (one tcplife_record_t per
 * TCP layer). */
void tcplife_ladder_register(int proto);

#endif
