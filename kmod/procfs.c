// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sections: the named sections of an IPC namespace, for the
 * administrator (like /proc/sysvipc/shm). One line each:
 *   name size backing uid gid mode handles views resident dirty scope
 * dirty counts the pages a file-backed section has yet to write to its file
 * (always 0 for pagefile-backed sections, which have no file); scope is
 * "global" (Global\ names) or "local" (the owner's Local\ names).
 *
 * The namespace is the one the reader was in when it opened the file, as
 * /proc/sysvipc/shm does: a file handed to another namespace's process (or
 * read after setns()) still shows what its opener could see. uid and gid are
 * shown in the opener's user namespace.
 */
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "sections.h"

/*
 * Position 0 is the header; the entry at index i of the namespace's names
 * is at position i + 1 (names.c keeps them in creation order), so a read
 * resumes where the last stopped in O(log n), whatever came and went since.
 */
static void *names_start(struct seq_file *m, loff_t *pos)
{
	struct sections_name *entry;

	mutex_lock(&sections_names_lock);
	if (!*pos)
		return SEQ_START_TOKEN;
	entry = sections_name_at(m->private, *pos - 1);
	if (entry)
		*pos = entry->index + 1;
	return entry;
}

static void *names_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct sections_name *entry = v == SEQ_START_TOKEN ? sections_name_at(m->private, 0) :
				      sections_name_next(v);

	/* Past the last, too: a position past this one. */
	*pos = entry ? entry->index + 1 : *pos + 1;
	return entry;
}

static void names_stop(struct seq_file *m, void *v)
{
	mutex_unlock(&sections_names_lock);
}

/*
 * Any user may read this file and names are anyone's bytes: print every byte
 * that is not printable ASCII, and the blank-free columns' separators, as
 * \ooo, so no name reaches a terminal as a control sequence and columns stay
 * columns. The backslash is escaped too, so the form can be undone.
 */
static void show_name(struct seq_file *m, const struct sections_name *entry)
{
	u32 i;

	for (i = 0; i < entry->len; i++) {
		unsigned char c = entry->name[i];

		if (c <= ' ' || c >= 0x7f || c == '\\')
			seq_printf(m, "\\%03o", c);
		else
			seq_putc(m, c);
	}
}

static int names_show(struct seq_file *m, void *v)
{
	struct ipc_namespace *ns = m->private;
	struct user_namespace *user_ns = seq_user_ns(m);
	struct sections_name *entry;
	struct section *sec;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "name size backing uid gid mode handles views resident dirty scope\n");
		return 0;
	}
	entry = v;
	if (entry->type != SECTIONS_OBJ_SECTION || WARN_ON_ONCE(entry->ns != ns) || !entry->ready)
		return 0;
	sec = section_of_name(entry);
	show_name(m, entry);
	seq_printf(m, " %llu %s %u %u %04o %d %d %lu %ld %s\n", sec->size,
		   sec->control ? "file" : "pagefile",
		   from_kuid_munged(user_ns, sec->uid), from_kgid_munged(user_ns, sec->gid),
		   sec->mode, atomic_read(&sec->handles), atomic_read(&sec->views),
		   sec->inode->i_mapping->nrpages,
		   sec->control ? atomic_long_read(&sec->control->nr_dirty) : 0,
		   entry->global ? "global" : "local");
	return 0;
}

static const struct seq_operations names_seq_ops = {
	.start = names_start,
	.next = names_next,
	.stop = names_stop,
	.show = names_show,
};

static int names_open(struct inode *inode, struct file *file)
{
	struct ipc_namespace *ns = get_ipc_ns(current->nsproxy->ipc_ns);
	int ret;

	ret = seq_open(file, &names_seq_ops);
	if (ret) {
		sections_put_ipc_ns(ns);
		return ret;
	}
	((struct seq_file *)file->private_data)->private = ns;
	return 0;
}

static int names_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	sections_put_ipc_ns(m->private);
	return seq_release(inode, file);
}

static const struct proc_ops names_proc_ops = {
	.proc_open = names_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = names_release,
};

int __init sections_procfs_init(void)
{
	return proc_create("sections", 0444, NULL, &names_proc_ops) ? 0 : -ENOMEM;
}

void sections_procfs_exit(void)
{
	remove_proc_entry("sections", NULL);
}
