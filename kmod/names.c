// SPDX-License-Identifier: GPL-2.0
/*
 * The object name table: one hashed table of typed names, keyed by
 * (IPC namespace, scope, name). Sections are the first type; events, mutexes
 * and semaphores will share the table, so a name held by another type is
 * told apart from a free one from the start.
 *
 * Each IPC namespace is a Windows session, as far as names go:
 *  - "Global\x" is in the namespace's global scope, shared by every user in
 *    it. Creating a global name needs CAP_IPC_OWNER over the namespace, or
 *    membership in the group global_group names: Windows asks for
 *    SeCreateGlobalPrivilege. Opening one needs only its mode.
 *  - "Local\x" and "x" are in the scope of the caller's effective user
 *    (kuid: a uid mapped through user namespaces is the user it maps to),
 *    as Windows keeps Local\ per logon session: another user's "Local\x"
 *    is another object, and no user can take a name another expects to
 *    create for himself.
 *
 * A named create reserves its name (an entry that is not ready), drops
 * sections_names_lock to build the object, then makes the entry ready. Who
 * meets a reserved entry waits, killably, for it to become ready or to go.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hash.h>
#include <linux/ipc_namespace.h>
#include <linux/jhash.h>
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>

#include "compat.h"
#include "sections.h"

static int global_group = -1;
module_param(global_group, int, 0644);
MODULE_PARM_DESC(global_group,
		 "Group (gid in the initial user namespace) whose members may create Global\\ names; -1: none");

DEFINE_MUTEX(sections_names_lock);

static struct rhashtable names;

/*
 * The entries of each IPC namespace, for /proc/sections: a tree per
 * namespace (in ns_names, by namespace), each entry at an index of its own,
 * given in creation order from one counter for all (64 bits: never reused,
 * even after a namespace's names have all gone). A reader resumes at its
 * position in O(log n) and walks no other namespace's entries: no read of
 * the file, from any container, holds sections_names_lock for longer than
 * its own namespace's names take. Both trees are intrusive, and a
 * namespace's first name brings the struct sections_ns_names its creator
 * allocated before taking the lock (sections_ns_names_alloc()): nothing is
 * allocated under the lock, which every namespace's creates take, so no
 * create fails there for want of memory that reclaim would have found.
 * Under sections_names_lock.
 */
struct sections_ns_names {
	struct rb_node node;
	const struct ipc_namespace *ns;
	struct rb_root entries;
};

static struct rb_root ns_names = RB_ROOT;
static u64 ns_names_next;
static const char global_prefix[] = "Global\\";
static const char local_prefix[] = "Local\\";

static u32 key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct sections_name *key = data;

	seed ^= hash_ptr(key->ns, 32);
	if (!key->global)
		seed ^= hash_32(__kuid_val(key->owner), 32);
	return jhash(key->name, key->len, seed);
}

static u32 obj_hashfn(const void *data, u32 len, u32 seed)
{
	return key_hashfn(data, len, seed);
}

static int obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct sections_name *key = arg->key;
	const struct sections_name *entry = obj;

	return !(key->ns == entry->ns && key->global == entry->global &&
		 (key->global || uid_eq(key->owner, entry->owner)) &&
		 key->len == entry->len && !memcmp(key->name, entry->name, key->len));
}

static const struct rhashtable_params names_params = {
	.head_offset = offsetof(struct sections_name, node),
	.hashfn = key_hashfn,
	.obj_hashfn = obj_hashfn,
	.obj_cmpfn = obj_cmpfn,
	.automatic_shrinking = true,
};

/*
 * Who waits for a reserved name waits on the generation of its name's
 * bucket, bumped under sections_names_lock each time a reserved entry of
 * that bucket becomes ready or goes: a create wakes only the waiters whose
 * names hash alike, not every waiter on the system.
 */
#define WAIT_BUCKETS 64
static unsigned long names_gen[WAIT_BUCKETS];

static unsigned long *gen_of(const struct sections_name *entry)
{
	return &names_gen[key_hashfn(entry, 0, 0) % WAIT_BUCKETS];
}

int __init sections_names_init(void)
{
	return rhashtable_init(&names, &names_params);
}

void sections_names_exit(void)
{
	/* Every entry belongs to a handle; none can outlive the module. */
	WARN_ON(!RB_EMPTY_ROOT(&ns_names));
	rhashtable_destroy(&names);
}

static bool has_prefix(const char *buf, u32 len, const char *prefix, size_t plen)
{
	return len >= plen && !memcmp(buf, prefix, plen);
}

/**
 * sections_name_from_user() - copy and check a name from user space
 * @uptr: user pointer to the name (not NUL-terminated)
 * @len: its length in bytes
 * @entry: filled with the name stripped of its prefix, its scope, and the
 *	caller's IPC namespace (a reference is taken); free with
 *	sections_name_release()
 *
 * Return: 0, -ENAMETOOLONG, -EFAULT, -ENOMEM, or -EINVAL for an empty name,
 * a NUL byte, or a backslash outside a Global\ or Local\ prefix.
 */
int sections_name_from_user(u64 uptr, u32 len, struct sections_name *entry)
{
	char prefix[sizeof(global_prefix) - 1];
	u32 plen = min_t(u32, len, sizeof(prefix)), skip = 0;
	bool global = false;
	char *buf;
	int ret;

	if (!len)
		return -EINVAL;
	if (len > SECTIONS_NAME_MAX)
		return -ENAMETOOLONG;
	if (copy_from_user(prefix, u64_to_user_ptr(uptr), plen))
		return -EFAULT;
	if (has_prefix(prefix, plen, global_prefix, sizeof(global_prefix) - 1)) {
		skip = sizeof(global_prefix) - 1;
		global = true;
	} else if (has_prefix(prefix, plen, local_prefix, sizeof(local_prefix) - 1)) {
		skip = sizeof(local_prefix) - 1;
	}
	len -= skip;
	if (!len)
		return -EINVAL;
	buf = len < SECTIONS_NAME_INLINE ? entry->iname : kmalloc(len + 1, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	/*
	 * Read again past the prefix: bytes changed meanwhile make another
	 * name, one the caller could have passed, and a prefix appearing now
	 * brings a backslash, which is refused.
	 */
	if (copy_from_user(buf, u64_to_user_ptr(uptr + skip), len)) {
		ret = -EFAULT;
		goto err_free;
	}
	buf[len] = '\0';
	if (strnlen(buf, len) != len || memchr(buf, '\\', len)) {
		ret = -EINVAL;
		goto err_free;
	}
	entry->name = buf;
	entry->len = len;
	entry->global = global;
	entry->owner = current_euid();
	entry->ns = get_ipc_ns(current->nsproxy->ipc_ns);
	entry->published = false;
	entry->ready = false;
	entry->user = NULL;
	return 0;

err_free:
	if (buf != entry->iname)
		kfree(buf);
	return ret;
}

/**
 * sections_name_move() - move an unpublished entry into the object it names
 * @to: the entry in the object
 * @from: an entry from sections_name_from_user(), or one without a name;
 *	left without a name
 */
void sections_name_move(struct sections_name *to, struct sections_name *from)
{
	WARN_ON(from->published);
	*to = *from;
	if (from->name == from->iname)
		to->name = to->iname;
	from->name = NULL;
}

/* Drop what sections_name_from_user() took. The entry must be unpublished. */
void sections_name_release(struct sections_name *entry)
{
	if (!entry->name)
		return;
	WARN_ON(entry->published);
	sections_put_ipc_ns(entry->ns);
	if (entry->name != entry->iname)
		kfree(entry->name);
	entry->name = NULL;
}

/*
 * May the caller create a global name in @ns? Asked only when such a name is
 * about to be created, so that opening one never audits a capability.
 */
static bool may_create_global(struct ipc_namespace *ns)
{
	int gid = READ_ONCE(global_group);

	if (gid >= 0 && in_group_p(make_kgid(&init_user_ns, gid)))
		return true;
	return ns_capable(ns->user_ns, CAP_IPC_OWNER);
}

/*
 * Wait until the bucket generation *@genp moves from @gen: a reserved entry
 * of the bucket became ready or went. Called without sections_names_lock.
 * Return: 0, or -EINTR when killed.
 */
static int wait_reserved(unsigned long *genp, unsigned long gen)
{
	return wait_var_event_killable(genp, READ_ONCE(*genp) != gen) ? -EINTR : 0;
}

/**
 * sections_name_find() - the ready entry of @key's name, waiting out a reservation
 * @key: namespace, scope and name
 *
 * Called with sections_names_lock held; returns with it held, but may drop
 * and retake it while it waits for a create of the same name to finish.
 *
 * Return: the entry, NULL if the name is free, or ERR_PTR(-EINTR).
 */
struct sections_name *sections_name_find(const struct sections_name *key)
{
	unsigned long *genp = gen_of(key), gen;
	struct sections_name *entry;
	int ret;

	lockdep_assert_held(&sections_names_lock);
	for (;;) {
		entry = rhashtable_lookup_fast(&names, key, names_params);
		if (!entry || entry->ready)
			return entry;
		gen = *genp;
		mutex_unlock(&sections_names_lock);
		ret = wait_reserved(genp, gen);
		mutex_lock(&sections_names_lock);
		if (ret)
			return ERR_PTR(ret);
	}
}

/**
 * sections_name_may_create() - may the caller create @entry's (free) name?
 * @entry: the name
 *
 * Return: 0, or -EPERM for a global name without the privilege.
 */
int sections_name_may_create(const struct sections_name *entry)
{
	return entry->global && !may_create_global(entry->ns) ? -EPERM : 0;
}

static struct sections_ns_names *ns_names_find(const struct ipc_namespace *ns)
{
	struct rb_node *node = ns_names.rb_node;
	struct sections_ns_names *nsn;

	while (node) {
		nsn = rb_entry(node, struct sections_ns_names, node);
		if ((unsigned long)ns < (unsigned long)nsn->ns)
			node = node->rb_left;
		else if ((unsigned long)ns > (unsigned long)nsn->ns)
			node = node->rb_right;
		else
			return nsn;
	}
	return NULL;
}

/**
 * sections_ns_names_alloc() - what a namespace's first name needs, allocated
 *	before sections_names_lock
 *
 * For sections_name_reserve(), which uses it only if the name is its
 * namespace's first; free what is left with kfree().
 *
 * Return: the allocation, or NULL.
 */
struct sections_ns_names *sections_ns_names_alloc(void)
{
	return kzalloc_obj(struct sections_ns_names, GFP_KERNEL_ACCOUNT);
}

/* Give @entry the next index among its namespace's entries, taking *@spare if it is the first. */
static int ns_names_add(struct sections_name *entry, struct sections_ns_names **spare)
{
	struct sections_ns_names *nsn = ns_names_find(entry->ns), *other;
	struct rb_node **link, *parent = NULL;

	lockdep_assert_held(&sections_names_lock);
	if (!nsn) {
		nsn = *spare;
		if (!nsn)
			return -ENOMEM;
		*spare = NULL;
		nsn->ns = entry->ns;
		nsn->entries = RB_ROOT;
		link = &ns_names.rb_node;
		while (*link) {
			parent = *link;
			other = rb_entry(parent, struct sections_ns_names, node);
			link = (unsigned long)nsn->ns < (unsigned long)other->ns ?
			       &parent->rb_left : &parent->rb_right;
		}
		rb_link_node(&nsn->node, parent, link);
		rb_insert_color(&nsn->node, &ns_names);
		parent = NULL;
	}
	/* The newest goes last. */
	entry->index = ns_names_next++;
	link = &nsn->entries.rb_node;
	while (*link) {
		parent = *link;
		link = &parent->rb_right;
	}
	rb_link_node(&entry->ns_node, parent, link);
	rb_insert_color(&entry->ns_node, &nsn->entries);
	return 0;
}

static void ns_names_remove(struct sections_name *entry)
{
	struct sections_ns_names *nsn = ns_names_find(entry->ns);

	lockdep_assert_held(&sections_names_lock);
	rb_erase(&entry->ns_node, &nsn->entries);
	if (RB_EMPTY_ROOT(&nsn->entries)) {
		rb_erase(&nsn->node, &ns_names);
		kfree(nsn);
	}
}

/**
 * sections_name_at() - the first entry of @ns at index @index or after
 * @ns: the IPC namespace
 * @index: where to look from
 *
 * For /proc/sections. Caller holds sections_names_lock.
 *
 * Return: the entry (reserved or ready), or NULL past the last.
 */
struct sections_name *sections_name_at(const struct ipc_namespace *ns, u64 index)
{
	struct sections_name *entry, *found = NULL;
	struct sections_ns_names *nsn;
	struct rb_node *node;

	lockdep_assert_held(&sections_names_lock);
	nsn = ns_names_find(ns);
	node = nsn ? nsn->entries.rb_node : NULL;
	while (node) {
		entry = rb_entry(node, struct sections_name, ns_node);
		if (entry->index >= index) {
			found = entry;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return found;
}

/* The entry of @entry's namespace after it, or NULL. Caller holds sections_names_lock. */
struct sections_name *sections_name_next(struct sections_name *entry)
{
	struct rb_node *node;

	lockdep_assert_held(&sections_names_lock);
	node = rb_next(&entry->ns_node);
	return node ? rb_entry(node, struct sections_name, ns_node) : NULL;
}

/**
 * sections_name_reserve() - hold a free name for an object being created
 * @entry: the name, embedded in the new object
 * @user: the creator's entry, charged for the name; NULL for none
 * @spare: from sections_ns_names_alloc(), taken (set to NULL) if the name is
 *	its namespace's first
 *
 * Caller holds sections_names_lock and has found the name free. The entry is
 * in the table but not ready: sections_name_find() waits on it.
 *
 * Return: 0, -EPERM for a global name the caller may not create, -ENOSPC
 * past the caller's name limit, or -ENOMEM (a first name without @spare, or
 * the table failing to grow).
 */
int sections_name_reserve(struct sections_name *entry, struct sections_user *user,
			  struct sections_ns_names **spare)
{
	int ret;

	lockdep_assert_held(&sections_names_lock);
	ret = sections_name_may_create(entry);
	if (ret)
		return ret;
	if (user) {
		ret = sections_user_charge_name(user);
		if (ret)
			return ret;
	}
	ret = ns_names_add(entry, spare);
	if (ret)
		goto out_uncharge;
	ret = rhashtable_insert_fast(&names, &entry->node, names_params);
	if (ret)
		goto out_remove;
	entry->user = user;
	entry->published = true;
	return 0;

out_remove:
	ns_names_remove(entry);
out_uncharge:
	if (user)
		sections_user_uncharge_name(user);
	return ret;
}

static void names_changed(const struct sections_name *entry)
{
	unsigned long *genp = gen_of(entry);

	WRITE_ONCE(*genp, *genp + 1);
	wake_up_var(genp);
}

/* The reserved @entry's object is complete: others may open it. Caller holds the lock. */
void sections_name_ready(struct sections_name *entry)
{
	lockdep_assert_held(&sections_names_lock);
	entry->ready = true;
	names_changed(entry);
}

/* Take @entry, ready or reserved, out of the table. Caller holds the lock. */
void sections_name_unpublish(struct sections_name *entry)
{
	lockdep_assert_held(&sections_names_lock);
	if (!entry->published)
		return;
	rhashtable_remove_fast(&names, &entry->node, names_params);
	ns_names_remove(entry);
	entry->published = false;
	if (entry->user) {
		sections_user_uncharge_name(entry->user);
		entry->user = NULL;
	}
	if (!entry->ready)
		names_changed(entry);
	entry->ready = false;
}
