/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sections: the NT section object for Linux. Internal interfaces.
 *
 * Objects:
 *   name entry  a typed entry in the per-IPC-namespace name table (names.c)
 *   section     size, protection, owner, backing store (section.c)
 *   handle      a file descriptor carrying an access mask (handle.c)
 *   view        a VMA of the section's view file (view.c)
 *   control     the pages of a file-backed section, one per file (control.c),
 *               written back by writeback.c on sectionsfs inodes (fs.c)
 *
 * Lifetime: sec->ref counts handles, views and short-term users. When it
 * reaches zero the section drops its view file, and the view file's release
 * frees the section: the kernel may still call the view file (msync() lands
 * in its ->fsync after the VMA is gone), and every such call holds a file
 * reference. The name is removed from the table when the last handle
 * closes, even while views remain. Every file and control area holds a
 * module reference, and sectionsfs' superblock holds one while it is
 * mounted (while any section or control area, or any dentry of it, exists:
 * fs.c), so the module cannot go while any of them exists.
 *
 * Lock order, outermost first:
 *   sections_names_lock     the name table and every name entry. Held for
 *                           table work only, never across I/O or a wait: a
 *                           create reserves its name, drops the lock to build
 *                           the section, and takes it again to publish
 *   users_lock              per-user counts (users.c), a spinlock; also
 *                           taken under controls_lock (a new control area
 *                           holds its user); nothing is taken under it
 * and, taken without sections_names_lock:
 *   control->grow_lock      creates growing the file, one at a time; held
 *                           across vfs_truncate(), and across a whole
 *                           cached write that grows the file, has a part
 *                           past the sections or appends (fileio.c: its
 *                           source may fault on a view, or stall on
 *                           userfaultfd or FUSE, and SetEndOfFile and
 *                           creates of the file wait), taken killably
 *   control->size_lock      an rw_semaphore: SetEndOfFile, and such a
 *                           cached write, hold it for writing across their
 *                           check and vfs_truncate() or write; a create
 *                           that finds the file long enough holds it for
 *                           reading while it claims; taken killably.
 *                           Under grow_lock (and size_lock), a grow or cut
 *                           also locks the page that holds the file's end
 *                           and waits (killably) for its write-back
 *                           (sections_control_zero_past_eof()): so a create
 *                           or SetEndOfFile may wait for the writer's I/O
 *   controls_lock           the control-area table (control.c); never held
 *                           while waiting for io_lock
 *   control->io_lock        one writer per control area; held across
 *                           write-back I/O, and by SetEndOfFile across
 *                           vfs_truncate() (i_rwsem) when it shrinks the
 *                           control area, so taken killably for users
 *   folio lock              of a section page (query, fault, write-back:
 *                           the writer takes one at a time, to prepare it)
 *   i_mmap_rwsem, page table locks  taken by unmap_mapping_pages() when the
 *                           writer trims a locked page from its views
 *   the backing file's page-cache folio locks  taken by ->read_folio of the
 *                           file when a fault fills a section page
 *   control->count_lock     a dirty count, its failing state and the cgroup
 *                           to trim for, a spinlock
 *                           taken with interrupts off (a bio completion may
 *                           dirty a page); nothing is taken under it
 *   control->drop_lock      the range of the file's copy to drop (a fill's,
 *                           with no folio of ours locked), a spinlock;
 *                           nothing is taken under it
 *   control->claims_lock    the made sections of a control area and its
 *                           final_size, a spinlock; nothing is taken under it
 *   the control inode's i_lock  orders changes of its size (control.c),
 *                           a spinlock; nothing is taken under it
 * The backing file's i_rwsem (and the rest of its read and write paths) is
 * taken with no folio lock of ours held: only under io_lock (the writer's
 * direct or buffered write, its folios under writeback and unlocked), grow_lock
 * (vfs_truncate()) or nothing. The other way round is the rule, not an
 * exception: write(F, a view of F) holds F's i_rwsem and faults on the
 * view, which locks a section folio and reads F's page cache; a fault never
 * takes io_lock, grow_lock or i_rwsem (pages are filled through the file's
 * ->read_folio, which takes no i_rwsem, never through its read path, which
 * does on XFS), except for files without a page cache (tmpfs: its read
 * path takes no i_rwsem; overlayfs: see the README's limits).
 *   section->wb_seen_lock   a section's cursor into control->wb_err, a
 *                           spinlock; nothing is taken under it
 * A fill leaves the drop of the file's page-cache copy of what it copied
 * (fadvise) to a work item (control->drop_work, holding no lock of ours):
 * that takes the file's folio locks, its ->writepages locks (write-out of the
 * file's dirty pages) and lru_add_drain_all()'s mutex, never i_rwsem. The writer's direct write takes,
 * under io_lock, i_rwsem, the file's folio locks and i_mmap_rwsem (invalidating
 * the file's page cache for the range).
 * mmap_lock is outside none of ours but folio locks: views' mmap, faults and
 * ->open/->close take no lock of ours, and nothing of ours that writes a file
 * runs under mmap_lock (the last put of a control area defers its final
 * write-back to a workqueue), because write() takes i_rwsem before mmap_lock.
 */
#ifndef SECTIONS_H
#define SECTIONS_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kcov.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rhashtable-types.h>
#include <linux/rwsem.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/sections.h>

struct mem_cgroup;
struct ipc_namespace;
struct vm_area_struct;

/* Types of objects sharing the name table. */
enum sections_obj_type {
	SECTIONS_OBJ_SECTION = 1,
	/* Test hook (debugfs): a name held by an object that is not a section. */
	SECTIONS_OBJ_PLACEHOLDER,
};

struct sections_user;

/* Names up to this long (with their NUL) are kept in the entry itself. */
#define SECTIONS_NAME_INLINE 16

/**
 * struct sections_name - an entry in the name table
 * @node: rhashtable linkage
 * @ns: the IPC namespace the name lives in (a reference is held)
 * @name: the name without its Global\ or Local\ prefix, NUL-terminated:
 *	@iname, or allocated if longer
 * @len: length of @name
 * @type: enum sections_obj_type
 * @owner: the user whose local scope holds the name (unused if @global)
 * @global: in the namespace's global scope (Global\); else in @owner's
 * @ready: the object is complete and may be opened
 * @published: in the table (reserved or ready)
 * @iname: a short @name
 * @ns_node: in the tree of @ns's entries, for /proc/sections (names.c)
 * @index: its key there: creation order
 * @user: charged for the name while it is in the table, or NULL
 *
 * What a lookup reads comes first, in the first cache line of the object
 * the entry starts (a section: see struct section): an open among a million
 * names misses the cache on that line, not on a name allocated apart.
 * Once published, all fields are under sections_names_lock; an entry is
 * moved only with sections_name_move(), before it is published.
 */
struct sections_name {
	struct rhash_head node;
	struct ipc_namespace *ns;
	char *name;
	u32 len;
	u32 type;
	kuid_t owner;
	bool global;
	bool ready;
	bool published;
	char iname[SECTIONS_NAME_INLINE];
	struct rb_node ns_node;
	u64 index;
	struct sections_user *user;
};

struct sections_ns_names;

extern struct mutex sections_names_lock;

int sections_names_init(void);
void sections_names_exit(void);
int sections_name_from_user(u64 uptr, u32 len, struct sections_name *entry);
void sections_name_release(struct sections_name *entry);
struct sections_name *sections_name_find(const struct sections_name *key);
int sections_name_may_create(const struct sections_name *entry);
void sections_name_move(struct sections_name *to, struct sections_name *from);
struct sections_ns_names *sections_ns_names_alloc(void);
int sections_name_reserve(struct sections_name *entry, struct sections_user *user,
			  struct sections_ns_names **spare);
void sections_name_ready(struct sections_name *entry);
void sections_name_unpublish(struct sections_name *entry);
struct sections_name *sections_name_at(const struct ipc_namespace *ns, u64 index);
struct sections_name *sections_name_next(struct sections_name *entry);

/* users.c */
struct sections_user *sections_user_charge_section(void);
void sections_user_uncharge_section(struct sections_user *user);
int sections_user_charge_name(struct sections_user *user);
void sections_user_uncharge_name(struct sections_user *user);
struct sections_user *sections_user_hold(void);
void sections_user_release(struct sections_user *user);
void sections_user_failing_add(struct sections_user *user, long n);
bool sections_user_is_caller(struct sections_user *user);
long sections_user_failing(struct sections_user *user);

/* Modes of sections_write_back(). */
enum sections_wb_mode {
	SECTIONS_WB_LAZY,	/* only pages whose share count is zero */
	SECTIONS_WB_TRIM,	/* too many dirty pages: trim mapped ones from views, too */
	SECTIONS_WB_TRIM_MEMCG,	/* a cgroup is short of memory: trim its mapped pages, too */
	SECTIONS_WB_FLUSH,	/* every dirty page, write-protecting mapped ones */
	SECTIONS_WB_FINAL,	/* teardown: nothing is mapped any more */
	SECTIONS_WB_UNMAPPED,	/* FlushFileBuffers: every page whose share count is zero */
};

/**
 * struct sections_control - the pages of one backing file
 * @ref: sections using it
 * @link: in the control-area table, keyed by @key
 * @key: the backing file's inode: one control area per file
 * @file: the backing file used to read pages
 * @wfile: a writable backing file, once a section can write (never changes
 *	after it is set; under @io_lock)
 * @user: the user @wfile was opened as (users.c), set with it (and under
 *	@count_lock): while write-back fails, @nr_dirty counts in that user's
 *	failing pages
 * @inode: the sectionsfs inode whose address_space holds the pages; its size
 *	is @claimed (sections_control_claim())
 * @io_lock: serializes writers
 * @grow_lock: serializes creates that grow the file
 * @size_lock: keeps SetEndOfFile from cutting the file between a create's
 *	finding it long enough and its raising of @claimed
 * @claimed: the largest size in bytes of a section made on the file
 *	(section_grow_file()): the end of the pages the control area holds.
 *	Raised by creates; lowered only by SetEndOfFile, to the cut, once the
 *	sections that claimed more are gone (sections_control_lower_claim())
 * @covered: the size, up to @claimed, the file is known to have reached for
 *	its sections (section_grow_file(), and each write-back that sees it):
 *	write-back that finds the file shorter knows someone else cut it
 *	(writeback.c: run_cut()), and lowers it to the file's size once it
 *	has reported the cut; also raised when a page is dirtied, so that a
 *	file grown again after a reported cut counts as covered
 * @claims: the made sections of the file that still exist, ordered by the
 *	size they claim (&struct section.claim_node): SetEndOfFile cuts no
 *	lower than the largest of them (section_file_set_size())
 * @claims_lock: @claims, and @final_size as the first is added or the last
 *	removed; a spinlock under which nothing else is taken
 * @final_size: the file's size when its last made section went (0 while
 *	one exists; an atomic64_t, as the writer may read it meanwhile, untorn
 *	on 32-bit): a cut after the last section is its owner's choice, not a
 *	loss, even while the control area lives on (a cached read of the file
 *	in flight, its last pages being written)
 * @wb_err: write-back errors, kept as a file's mapping keeps them (errseq_t):
 *	every section sees each one once (&struct section.wb_seen)
 * @nr_dirty: dirty pages, counted where writeback.c dirties and cleans them
 *	(changed under @count_lock)
 * @count_lock: @nr_dirty and @write_failing change together under it, so that
 *	the pages of failing control areas are counted apart exactly
 * @write_failing: the error of the last write-back run, 0 once one succeeds
 *	(set under @io_lock and @count_lock): while it is set, @nr_dirty is
 *	bounded and counts apart from the dirty limit of the others
 * @trim_memcg: a cgroup short of memory whose dirty pages the writer is to
 *	trim and write now (memcg.c), with a reference; set when NULL and
 *	cleared by the writer once done, under @count_lock
 * @trim_memcg_quiet: until then (jiffies) no cgroup asks again: the last
 *	such pass found nothing of the cgroup's to write
 * @writer: the lazy writer
 * @teardown: final write-back and release, after the last section
 * @drop_lock: @drop_first and @drop_end, a spinlock; nothing is taken under it
 * @drop_first: the first page of the file whose copy fills made redundant
 *	(control.c: fill_drop())
 * @drop_end: past the last such page; no range when not above @drop_first
 * @drop_work: drops the file's copy of that range, off the fault path
 */
struct sections_control {
	struct kref ref;
	struct hlist_node link;
	struct inode *key;
	struct file *file;
	struct file *wfile;
	struct sections_user *user;
	struct inode *inode;
	struct mutex io_lock;
	struct mutex grow_lock;
	struct rw_semaphore size_lock;
	atomic64_t claimed;
	atomic64_t covered;
	struct rb_root claims;
	spinlock_t claims_lock;
	atomic64_t final_size;
	errseq_t wb_err;
	/* Set when teardown starts: a page dirtied from then on kicks no writer. */
	bool dying;
	atomic_long_t nr_dirty;
	spinlock_t count_lock;
	int write_failing;
	struct mem_cgroup *trim_memcg;
	unsigned long trim_memcg_quiet;
	struct delayed_work writer;
	struct work_struct teardown;
	spinlock_t drop_lock;
	pgoff_t drop_first;
	pgoff_t drop_end;
	struct delayed_work drop_work;
	/*
	 * The KCOV handle of the task that made it: the writer and the
	 * teardown run in kworkers, and a fuzzer that passed a common handle
	 * to KCOV_REMOTE_ENABLE sees their coverage (as vhost does). Nothing
	 * without CONFIG_KCOV. typeof: a u64 before 7.1, a struct since.
	 */
	typeof(kcov_common_handle()) kcov_handle;
};

extern struct workqueue_struct *sections_wq;

/* Raise @v to @to unless it is above already. */
static inline void sections_atomic64_raise(atomic64_t *v, s64 to)
{
	s64 old = atomic64_read(v);

	while (old < to && !atomic64_try_cmpxchg(v, &old, to))
		;
}

/* fs.c */
int sectionsfs_init(void);
void sectionsfs_exit(void);
struct inode *sectionsfs_new_inode(loff_t size);
struct inode *sectionsfs_handle_inode(void);
void sectionsfs_set_handle_size(struct dentry *dentry, u64 size);
extern const struct file_operations sectionsfs_reopen_fops;
struct vfsmount *sectionsfs_mount(void);
bool sectionsfs_owns(const struct inode *inode);
int sectionsfs_pin(void);
void sectionsfs_unpin(void);

/* control.c */
struct section;
struct sections_control *sections_control_get(struct file *file, bool writable);
void sections_control_claim(struct sections_control *ca, struct section *sec, loff_t size);
void sections_control_unclaim(struct sections_control *ca, struct section *sec);
loff_t sections_control_claims_end(struct sections_control *ca);
void sections_control_lower_claim(struct sections_control *ca, loff_t size);
void sections_control_init_ra(struct sections_control *ca, struct file *file);
int sections_control_zero_past_eof(struct sections_control *ca, loff_t isize, loff_t size);
void sections_control_put(struct sections_control *ca);
struct sections_control *sections_control_find(struct inode *key);
int sections_control_make_writable(struct sections_control *ca, struct file *file);
void sections_control_teardown(struct work_struct *work);
void sections_controls_kick_all(void);
vm_fault_t sections_file_fault(struct vm_fault *vmf);
vm_fault_t sections_file_page_mkwrite(struct vm_fault *vmf);

/* memcg.c */
/* A cgroup is short of memory within 1/SECTIONS_MEMCG_MARGIN of its limit. */
#define SECTIONS_MEMCG_MARGIN 8
/* Its dirty pages are trimmed and written in batches of 1/SECTIONS_MEMCG_TRIM_PART of it. */
#define SECTIONS_MEMCG_TRIM_PART 16
#ifdef CONFIG_MEMCG
struct mem_cgroup *sections_memcg_short(struct folio *folio, unsigned long *limit);
bool sections_memcg_holds(struct mem_cgroup *memcg, struct folio *folio);
void sections_memcg_put(struct mem_cgroup *memcg);
#else
static inline struct mem_cgroup *sections_memcg_short(struct folio *folio, unsigned long *limit)
{
	return NULL;
}

static inline bool sections_memcg_holds(struct mem_cgroup *memcg, struct folio *folio)
{
	return false;
}

static inline void sections_memcg_put(struct mem_cgroup *memcg)
{
}
#endif

/* writeback.c */
int sections_write_back(struct sections_control *ca, pgoff_t first, pgoff_t last,
			enum sections_wb_mode mode);
void sections_writer_work(struct work_struct *work);
void sections_writer_kick(struct sections_control *ca);
int sections_dirty_refused(struct sections_control *ca);
void sections_control_set_user(struct sections_control *ca, struct sections_user *user);
bool sections_dirty_folio(struct address_space *mapping, struct folio *folio);
void sections_dirty_throttle(struct sections_control *ca, struct folio *folio);
unsigned long sections_clean_from(struct sections_control *ca, pgoff_t first, bool remove);
void sections_drop_dirty(struct sections_control *ca);
int sections_writeback_init(void);
void sections_writeback_exit(void);

/**
 * struct section - a section object
 * @name: the name entry; @name.name is NULL for an unnamed section
 * @ref: handles + views + short-term users
 * @handles: open handle files; the name goes when this reaches zero
 * @protection: SECTIONS_PAGE_*
 * @mode: permission bits checked on open
 * @uid: owner (creator's effective uid)
 * @gid: owner group (creator's effective gid)
 * @size: bytes, a multiple of PAGE_SIZE
 * @views: VMAs mapping the section, in all processes
 * @attributes: SECTIONS_ATTR_*
 * @backing: pagefile-backed: the shmem file holding the pages
 * @control: file-backed: the control area holding the pages
 * @inode: the inode whose address_space holds the pages
 * @mnt: the mount of @inode, for the view file
 * @view_file: vm_file of every view (never the raw shmem file); it owns the
 *	section's memory: see section_put()
 * @backing_vm_ops: pagefile-backed: shmem's vm_ops, which views forward to
 * @user: the creator's per-user counts, charged for this section
 * @claim_node: file-backed, once made: in @control's claims (under its
 *	claims_lock); RB_EMPTY_NODE() before, and for a create that failed
 * @claimed: the bytes of the file it claims there (its size as asked for)
 */
struct section {
	/*
	 * What an open by name reads, in the first two cache lines: the
	 * lookup's key, then what open_existing() checks and the new handle
	 * needs.
	 */
	struct sections_name name;
	struct kref ref;
	atomic_t handles;
	u32 protection;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	u64 size;
	atomic_t views;
	u32 attributes;
	struct file *backing;
	struct sections_control *control;
	struct inode *inode;
	struct vfsmount *mnt;
	struct file *view_file;
	const struct vm_operations_struct *backing_vm_ops;
	struct sections_user *user;
	/* File-backed: the last of control->wb_err its flushes reported (under wb_seen_lock). */
	errseq_t wb_seen;
	spinlock_t wb_seen_lock;
	struct rb_node claim_node;
	loff_t claimed;
};

static inline struct section *section_of_name(struct sections_name *entry)
{
	return container_of(entry, struct section, name);
}

bool section_protection_valid(u32 protection);
bool section_permits(const struct section *sec, u32 access);
int section_check_file(struct sections_create_args *args, struct file *file);
int section_file_writable(struct file *file);
int section_file_extend(struct sections_control *ca, struct file *file, loff_t size);
int sections_wait_unfrozen(struct super_block *sb);
int section_file_set_size(struct sections_control *ca, struct file *file, loff_t size);
int section_write_error(struct section *sec, bool advance);

/* fileio.c */
long sections_file_ioctl(unsigned int cmd, void __user *uarg);
struct section *section_alloc(const struct sections_create_args *args,
			      struct sections_name *name, struct sections_user *user);
int section_init(struct section *sec, struct file *backing);
int section_grow_file(struct section *sec, struct file *file, u64 size);
void section_get(struct section *sec);
void section_put(struct section *sec);
void section_handle_get(struct section *sec);
void section_handle_put(struct section *sec);
struct file *section_handle_file(struct section *sec);
int section_view_file_release(struct inode *inode, struct file *file);
int section_flush(struct section *sec, pgoff_t first, pgoff_t count, u32 flags);

/* handle.c */
struct file *sections_handle_file(struct section *sec, u32 access);
int sections_handle_install(struct section *sec, u32 access, u32 flags);
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
