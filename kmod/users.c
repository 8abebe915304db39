// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user limits: how many live sections, and how many names, each user
 * (the creator's effective kuid, so a uid mapped through user namespaces is
 * the user it maps to; inside an unprivileged user's namespaces, that user:
 * charged_uid()) may hold. /dev/sections is open to every local user:
 * without a bound, one of them could pin kernel memory for inodes, files
 * and name entries that no memory cgroup limit covers in full.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "sections.h"

static unsigned int max_sections_per_user = 65536;
module_param(max_sections_per_user, uint, 0644);
MODULE_PARM_DESC(max_sections_per_user,
		 "Live sections one user may have created, named or not (CAP_SYS_RESOURCE: no limit)");

static unsigned int max_names_per_user = 65536;
module_param(max_names_per_user, uint, 0644);
MODULE_PARM_DESC(max_names_per_user,
		 "Named objects one user may hold (CAP_SYS_RESOURCE: no limit)");

/**
 * struct sections_user - what one user holds
 * @link: in the users table
 * @uid: the user
 * @sections: live sections created by @uid
 * @names: names held by those sections
 * @controls: control areas whose write-back runs with @uid's credentials;
 *	the entry goes when the last section and control area do
 * @failing: dirty pages of those control areas while their write-back
 *	fails (writeback.c: sections_dirty_refused())
 */
struct sections_user {
	struct hlist_node link;
	kuid_t uid;
	unsigned int sections;
	unsigned int names;
	unsigned int controls;
	atomic_long_t failing;
};

static DEFINE_SPINLOCK(users_lock);
static DEFINE_HASHTABLE(users, 6);

static struct sections_user *user_find(kuid_t uid)
{
	struct sections_user *user;

	lockdep_assert_held(&users_lock);
	hash_for_each_possible(users, user, link, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

static bool privileged(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_SYS_RESOURCE);
}

/*
 * Whom a create counts against: the caller's effective kuid, except inside a
 * user namespace that an unprivileged user made, where it is that user: the
 * owner of the outermost namespace, on the way from the initial one to the
 * caller's, whose owner is not the root of the namespace it was made in.
 * Subordinate uids (/etc/subuid gives a user 65536 of them) would otherwise
 * multiply the limits by as many, and so would they inside a container
 * (whose namespace its runtime made as root) for a user of the container
 * who makes a namespace of their own, as rootless podman does. Namespaces
 * that their parent's root made are that root's business: there the
 * caller's kuid counts, as outside.
 */
static kuid_t charged_uid(void)
{
	const struct user_namespace *ns, *outermost = NULL;

	for (ns = current_user_ns(); ns != &init_user_ns; ns = ns->parent)
		if (!uid_eq(ns->owner, make_kuid(ns->parent, 0)))
			outermost = ns;
	return outermost ? outermost->owner : current_euid();
}

/*
 * Count a section (@section) or a control area for the caller, in the
 * caller's entry, made if need be: users_lock is a spinlock, so a new entry
 * is allocated unlocked and the lookup done again. Only sections are
 * limited: past max_sections_per_user only CAP_SYS_RESOURCE is counted
 * anyway; it is asked outside the spinlock, and only then, so the common
 * case neither audits nor calls into an LSM.
 */
static struct sections_user *user_charge(bool section)
{
	unsigned int max = READ_ONCE(max_sections_per_user);
	struct sections_user *user, *fresh = NULL;
	kuid_t uid = charged_uid();
	bool unlimited = !section;

	for (;;) {
		spin_lock(&users_lock);
		user = user_find(uid);
		if ((user ? user->sections : 0) >= max && !unlimited) {
			spin_unlock(&users_lock);
			if (!privileged()) {
				kfree(fresh);
				return ERR_PTR(-ENOSPC);
			}
			unlimited = true;
			continue;
		}
		if (!user && fresh) {
			user = fresh;
			fresh = NULL;
			hash_add(users, &user->link, __kuid_val(uid));
		}
		if (user) {
			if (section)
				user->sections++;
			else
				user->controls++;
			spin_unlock(&users_lock);
			kfree(fresh);
			return user;
		}
		spin_unlock(&users_lock);
		fresh = kzalloc_obj(*fresh, GFP_KERNEL_ACCOUNT);
		if (!fresh)
			return ERR_PTR(-ENOMEM);
		fresh->uid = uid;
	}
}

/**
 * sections_user_charge_section() - count a new section for the caller
 *
 * Return: the caller's entry, for the other calls, or ERR_PTR(-ENOSPC) past
 * max_sections_per_user (CAP_SYS_RESOURCE: no limit), or ERR_PTR(-ENOMEM).
 */
struct sections_user *sections_user_charge_section(void)
{
	return user_charge(true);
}

/* The section counted by sections_user_charge_section() is freed. */
void sections_user_uncharge_section(struct sections_user *user)
{
	bool last;

	spin_lock(&users_lock);
	last = !--user->sections && !user->controls;
	if (last) {
		WARN_ON_ONCE(user->names);
		hash_del(&user->link);
	}
	spin_unlock(&users_lock);
	if (last)
		kfree(user);
}

/**
 * sections_user_hold() - the caller's entry, for a control area writing as the caller
 *
 * Counted apart from sections: a control area outlives its sections (its
 * teardown writes the last pages), and a cached write may make one writable
 * for a caller who has no section at all. No limit applies: a control area
 * needs a section or a file the caller may write, and the caller's sections
 * and open files are bounded already.
 *
 * Return: the entry (sections_user_release()), or ERR_PTR(-ENOMEM).
 */
struct sections_user *sections_user_hold(void)
{
	return user_charge(false);
}

/* The control area held by sections_user_hold() is freed. */
void sections_user_release(struct sections_user *user)
{
	bool last;

	spin_lock(&users_lock);
	last = !--user->controls && !user->sections;
	if (last) {
		WARN_ON_ONCE(user->names || atomic_long_read(&user->failing));
		hash_del(&user->link);
	}
	spin_unlock(&users_lock);
	if (last)
		kfree(user);
}

/* Count @n more (or fewer) failing dirty pages of @user's. Any context. */
void sections_user_failing_add(struct sections_user *user, long n)
{
	atomic_long_add(n, &user->failing);
}

long sections_user_failing(struct sections_user *user)
{
	return atomic_long_read(&user->failing);
}

/* Whether the caller counts as @user (charged_uid()). */
bool sections_user_is_caller(struct sections_user *user)
{
	return uid_eq(user->uid, charged_uid());
}

/**
 * sections_user_charge_name() - count a name for @user
 * @user: the entry of the section that will hold the name
 *
 * Return: 0, or -ENOSPC past max_names_per_user (CAP_SYS_RESOURCE: no limit).
 */
int sections_user_charge_name(struct sections_user *user)
{
	bool over;

	spin_lock(&users_lock);
	over = user->names >= READ_ONCE(max_names_per_user);
	if (!over)
		user->names++;
	spin_unlock(&users_lock);
	if (!over)
		return 0;
	if (!privileged())
		return -ENOSPC;
	spin_lock(&users_lock);
	user->names++;
	spin_unlock(&users_lock);
	return 0;
}

void sections_user_uncharge_name(struct sections_user *user)
{
	spin_lock(&users_lock);
	WARN_ON_ONCE(!user->names);
	user->names--;
	spin_unlock(&users_lock);
}
