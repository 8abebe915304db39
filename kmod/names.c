// SPDX-License-Identifier: GPL-2.0
/*
 * The object name table: one hashed table of typed names, keyed by
 * (IPC namespace, name). Sections are the first type; events, mutexes and
 * semaphores will share the table, so a name held by another type is told
 * apart from a free one from the start.
 *
 * Linux has no terminal-server sessions, so each IPC namespace is one
 * session: "Global\x", "Local\x" and "x" all name the same object there,
 * as they do for a service in Windows' session 0.
 */
#include <linux/hash.h>
#include <linux/ipc_namespace.h>
#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "sections.h"

DEFINE_MUTEX(sections_names_lock);

static struct rhashtable names;
static LIST_HEAD(names_list);

static const char *const prefixes[] = { "Global\\", "Local\\" };

static u32 name_hash(const struct ipc_namespace *ns, const char *name, u32 len, u32 seed)
{
	return jhash(name, len, seed ^ hash_ptr(ns, 32));
}

static u32 key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct sections_name *key = data;

	return name_hash(key->ns, key->name, key->len, seed);
}

static u32 obj_hashfn(const void *data, u32 len, u32 seed)
{
	return key_hashfn(data, len, seed);
}

static int obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct sections_name *key = arg->key;
	const struct sections_name *entry = obj;

	return !(key->ns == entry->ns && key->len == entry->len &&
		 !memcmp(key->name, entry->name, key->len));
}

static const struct rhashtable_params names_params = {
	.head_offset = offsetof(struct sections_name, node),
	.hashfn = key_hashfn,
	.obj_hashfn = obj_hashfn,
	.obj_cmpfn = obj_cmpfn,
	.automatic_shrinking = true,
};

int sections_names_init(void)
{
	return rhashtable_init(&names, &names_params);
}

void sections_names_exit(void)
{
	/* Every entry belongs to a handle; none can outlive the module. */
	WARN_ON(!list_empty(&names_list));
	rhashtable_destroy(&names);
}

/**
 * sections_name_from_user() - copy and check a name from user space
 * @uptr: user pointer to the name (not NUL-terminated)
 * @len: its length in bytes
 * @entry: filled with the name stripped of its prefix, in the caller's
 *	IPC namespace (a reference is taken); free with sections_name_release()
 *
 * Return: 0, -ENAMETOOLONG, -EFAULT, -ENOMEM, or -EINVAL for an empty name,
 * a NUL byte, or a backslash outside a Global\ or Local\ prefix.
 */
int sections_name_from_user(u64 uptr, u32 len, struct sections_name *entry)
{
	char *buf, *name;
	size_t i, plen;

	if (!len)
		return -EINVAL;
	if (len > SECTIONS_NAME_MAX)
		return -ENAMETOOLONG;
	buf = memdup_user_nul(u64_to_user_ptr(uptr), len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	name = buf;
	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		plen = strlen(prefixes[i]);
		if (len >= plen && !memcmp(buf, prefixes[i], plen)) {
			name += plen;
			len -= plen;
			break;
		}
	}
	if (!len || strnlen(name, len) != len || memchr(name, '\\', len)) {
		kfree(buf);
		return -EINVAL;
	}
	if (name != buf)
		memmove(buf, name, len + 1);
	entry->name = buf;
	entry->len = len;
	entry->ns = get_ipc_ns(current->nsproxy->ipc_ns);
	entry->published = false;
	return 0;
}

/* Drop what sections_name_from_user() took. The entry must be unpublished. */
void sections_name_release(struct sections_name *entry)
{
	if (!entry->name)
		return;
	WARN_ON(entry->published);
	sections_put_ipc_ns(entry->ns);
	kfree(entry->name);
	entry->name = NULL;
}

/* Find the entry with @key's namespace and name. Caller holds sections_names_lock. */
struct sections_name *sections_name_lookup(const struct sections_name *key)
{
	lockdep_assert_held(&sections_names_lock);
	return rhashtable_lookup_fast(&names, key, names_params);
}

/* Caller holds sections_names_lock and has checked the name is free. */
int sections_name_publish(struct sections_name *entry)
{
	int ret;

	lockdep_assert_held(&sections_names_lock);
	ret = rhashtable_insert_fast(&names, &entry->node, names_params);
	if (ret)
		return ret;
	list_add_tail(&entry->list, &names_list);
	entry->published = true;
	return 0;
}

void sections_name_unpublish(struct sections_name *entry)
{
	lockdep_assert_held(&sections_names_lock);
	if (!entry->published)
		return;
	rhashtable_remove_fast(&names, &entry->node, names_params);
	list_del(&entry->list);
	entry->published = false;
}

/* All published entries, in creation order. Caller holds sections_names_lock. */
struct list_head *sections_names_list(void)
{
	return &names_list;
}
