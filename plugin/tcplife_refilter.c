/* tcplife_refilter.c - when the capture has been read, and the GUI's second look.
 *
 * Connection fields (tcplife.conn.*) and look-ahead verdicts are final only
 * once the whole capture has been read; before that they are pending. The
 * first pass ends with postseq_cleanup_all_protocols(): in tshark before -2's
 * second pass, in the GUI at the end of cf_read (opening, reloading a file)
 * and when a live capture stops (cf_finish_tail).
 *
 * A GUI display filter that was evaluated during that first pass (given with
 * -Y, already in the bar when the file was opened, or set during a live
 * capture) saw pending values. When it uses a tcplife field it is applied
 * once more as soon as the GUI's main loop is idle again, so the packet list
 * shows the final answer. Not from inside the routine itself: cf_read has not
 * finished there (packet list frozen, its "read finished" callbacks pending).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife.h"

#include <cfile.h>
#include <epan/plugin_if.h>
#include <string.h>

static bool first_pass_done;

/* Takes the GUI's display filter if the file has been read and the filter
 * uses tcplife. The GUI applies a filter only when its text differs from the
 * current one (plugin_if_apply_filter does not pass "force" on), so the
 * current text is forgotten first: the same filter is then applied anew. */
static void *take_filter_to_reapply(capture_file *cf, void *user_data _U_)
{
    if (cf->state != FILE_READ_DONE || cf->redissecting || cf->read_lock || !cf->dfilter ||
        !strstr(cf->dfilter, "tcplife"))
        return NULL;
    char *filter = cf->dfilter;
    cf->dfilter = NULL;
    return filter;
}

static gboolean reapply_filter(gpointer data _U_)
{
    char *filter = (char *)plugin_if_get_capture_file(take_filter_to_reapply, NULL);
    if (filter) {
        plugin_if_apply_filter(filter, TRUE);
        g_free(filter);
    }
    return G_SOURCE_REMOVE;
}

static void *is_gui(capture_file *cf _U_, void *user_data _U_)
{
    return GINT_TO_POINTER(1);
}

static void capture_read(void)
{
    first_pass_done = true;
    /* Only the GUI answers plugin_if calls (tshark registers none). */
    if (plugin_if_get_capture_file(is_gui, NULL))
        g_idle_add(reapply_filter, NULL);
}

static void new_capture(void)
{
    first_pass_done = false;
}

/* Is the GUI's capture file fully read (not live, not being re-dissected)? */
static void *gui_file_read(capture_file *cf, void *user_data _U_)
{
    return GINT_TO_POINTER(cf->state == FILE_READ_DONE && !cf->redissecting ? 1 : 2);
}

bool tcplife_capture_complete(packet_info *pinfo)
{
    if (first_pass_done)
        return true;
    if (!PINFO_FD_VISITED(pinfo))
        return false;
    /* A revisit without the end of a first pass: a GUI re-dissection after a
     * preference change (no postseq routine runs then) or a packet clicked
     * during a live capture. Without a GUI it is tshark's second pass. */
    void *answer = plugin_if_get_capture_file(gui_file_read, NULL);
    if (answer == GINT_TO_POINTER(2))
        return false;
    first_pass_done = true;
    return true;
}

void tcplife_refilter_register(void)
{
    register_init_routine(new_capture);
    register_postseq_cleanup_routine(capture_read);
}
