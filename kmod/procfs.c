// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sections: the named sections of the reader's IPC namespace, for the
 * administrator (like /proc/sysvipc/shm). One line each:
 *   name size backing uid gid mode handles views resident dirty
 * The last column counts the pages a file-backed section has yet to write to
 * its file (always 0 for pagefile-backed sections, which have no file).
 */
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/user_namespace.h>

#include "sections.h"

static void *names_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&sections_names_lock);
	return seq_list_start_head(sections_names_list(), *pos);
}

static void *names_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, sections_names_list(), pos);
}

static void names_stop(struct seq_file *m, void *v)
{
	mutex_unlock(&sections_names_lock);
}

static int names_show(struct seq_file *m, void *v)
{
	struct user_namespace *user_ns = seq_user_ns(m);
	struct sections_name *entry;
	struct section *sec;

	if (v == sections_names_list()) {
		seq_puts(m, "name size backing uid gid mode handles views resident dirty\n");
		return 0;
	}
	entry = list_entry(v, struct sections_name, list);
	if (entry->type != SECTIONS_OBJ_SECTION || entry->ns != current->nsproxy->ipc_ns)
		return 0;
	sec = section_of_name(entry);
	/* Names may hold blanks: escape them so the columns stay columns. */
	seq_escape(m, entry->name, " \t\n\\");
	seq_printf(m, " %llu %s %u %u %04o %d %d %lu %ld\n", sec->size,
		   sec->control ? "file" : "pagefile",
		   from_kuid_munged(user_ns, sec->uid), from_kgid_munged(user_ns, sec->gid),
		   sec->mode, atomic_read(&sec->handles), atomic_read(&sec->views),
		   sec->inode->i_mapping->nrpages,
		   sec->control ? atomic_long_read(&sec->control->nr_dirty) : 0);
	return 0;
}

static const struct seq_operations names_seq_ops = {
	.start = names_start,
	.next = names_next,
	.stop = names_stop,
	.show = names_show,
};

int sections_procfs_init(void)
{
	return proc_create_seq("sections", 0444, NULL, &names_seq_ops) ? 0 : -ENOMEM;
}

void sections_procfs_exit(void)
{
	remove_proc_entry("sections", NULL);
}
