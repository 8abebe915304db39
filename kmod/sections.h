/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sections: the NT section object for Linux. Internal interfaces.
 *
 * Objects:
 *   name entry  a typed entry in the per-IPC-namespace name table (names.c)
 *   section     size, protection, owner, backing store (section.c)
 *   handle      a file descriptor carrying an access mask (handle.c)
 *   view        a VMA of the section's view file (view.c)
 *
 * Lifetime: a section is freed when its last handle is closed and its last
 * view unmapped (sec->ref counts both). Its name is removed from the table
 * when the last handle closes, even while views remain.
 *
 * Lock order, outermost first:
 *   mmap_lock               views: mmap, faults, ->open/->close
 *   sections_names_lock     the name table and every name entry
 *   folio lock              page queries
 * sections_names_lock is never taken under mmap_lock: the last handle's
 * release (which unpublishes a name) runs from fput, never from a VMA op.
 */
#ifndef SECTIONS_H
#define SECTIONS_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/uidgid.h>
#include <linux/sections.h>

struct ipc_namespace;
struct vm_area_struct;

/* Types of objects sharing the name table. */
enum sections_obj_type {
	SECTIONS_OBJ_SECTION = 1,
	/* Test hook (debugfs): a name held by an object that is not a section. */
	SECTIONS_OBJ_PLACEHOLDER,
};

/**
 * struct sections_name - an entry in the name table
 * @node: rhashtable linkage
 * @list: all entries, for /proc/sections
 * @ns: the IPC namespace the name lives in (a reference is held)
 * @name: the name without its Global\ or Local\ prefix, NUL-terminated
 * @len: length of @name
 * @type: enum sections_obj_type
 * @published: in the table; all fields are under sections_names_lock
 */
struct sections_name {
	struct rhash_head node;
	struct list_head list;
	struct ipc_namespace *ns;
	char *name;
	u32 len;
	u32 type;
	bool published;
};

extern struct mutex sections_names_lock;

int sections_names_init(void);
void sections_names_exit(void);
int sections_name_from_user(u64 uptr, u32 len, struct sections_name *entry);
void sections_name_release(struct sections_name *entry);
struct sections_name *sections_name_lookup(const struct sections_name *key);
int sections_name_publish(struct sections_name *entry);
void sections_name_unpublish(struct sections_name *entry);
struct list_head *sections_names_list(void);

/**
 * struct section - a section object
 * @ref: handles + views + short-term users
 * @handles: open handle files; the name goes when this reaches zero
 * @views: VMAs mapping the section, in all processes
 * @size: bytes, a multiple of PAGE_SIZE
 * @protection: SECTIONS_PAGE_*
 * @attributes: SECTIONS_ATTR_*
 * @mode: permission bits checked on open
 * @uid: owner (creator's effective uid)
 * @gid: owner group (creator's effective gid)
 * @name: the name entry; @name.name is NULL for an unnamed section
 * @backing: the shmem file holding the pages
 * @view_file: vm_file of every view (never the raw shmem file)
 * @backing_vm_ops: the backing store's vm_ops, which views forward to
 */
struct section {
	struct kref ref;
	atomic_t handles;
	atomic_t views;
	u64 size;
	u32 protection;
	u32 attributes;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	struct sections_name name;
	struct file *backing;
	struct file *view_file;
	const struct vm_operations_struct *backing_vm_ops;
};

static inline struct section *section_of_name(struct sections_name *entry)
{
	return container_of(entry, struct section, name);
}

u32 section_allowed_access(u32 protection);
bool section_protection_valid(u32 protection);
bool section_permits(const struct section *sec, u32 access);
struct section *section_create(const struct sections_create_args *args,
			       struct sections_name *name);
void section_get(struct section *sec);
void section_put(struct section *sec);
void section_handle_get(struct section *sec);
void section_handle_put(struct section *sec);
struct file *section_file(struct section *sec, const char *name,
			  const struct file_operations *fops);
int section_flush(struct section *sec, pgoff_t first, pgoff_t count, u32 flags);

/* handle.c */
int sections_handle_install(struct section *sec, u32 access, u32 flags,
			    u32 __user *result, u32 result_value);
long sections_handle_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
extern const struct file_operations sections_handle_fops;

/* view.c */
int sections_view_mmap(struct file *file, struct vm_area_struct *vma,
		       struct section *sec, u32 access);
long sections_unmap_view(u64 __user *uaddr);
long sections_flush_view(struct sections_flush_args __user *uargs);
long sections_query_view_pages(struct sections_page_query __user *uargs);
extern const struct file_operations sections_view_fops;

/* pages.c */
int sections_query_pages(struct section *sec, pgoff_t first, u64 count,
			 struct sections_page_info __user *out);

/* procfs.c, placeholder.c */
int sections_procfs_init(void);
void sections_procfs_exit(void);
void sections_placeholder_init(void);
void sections_placeholder_exit(void);

#endif /* SECTIONS_H */
