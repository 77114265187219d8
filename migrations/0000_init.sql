CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`project_id` text,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_uq` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `batch_guards` (
	`ok` integer NOT NULL,
	CONSTRAINT "batch_guards_ok" CHECK(ok = 1)
);
--> statement-breakpoint
CREATE TABLE `projects` (
	`project_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`client_info` text,
	`git_info` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE TABLE `pull_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_row_id` integer NOT NULL,
	`project_id` text NOT NULL,
	`queue_id` text,
	`task_id` text NOT NULL,
	`lease_id` text NOT NULL,
	`pulled_at` integer NOT NULL,
	`pulled_by` text NOT NULL,
	`key_id` text,
	`lease_expires_at` integer NOT NULL,
	`ended_at` integer,
	`ended_by` text,
	`outcome` text
);
--> statement-breakpoint
CREATE INDEX `pull_events_task_idx` ON `pull_events` (`task_row_id`,`pulled_at`);--> statement-breakpoint
CREATE INDEX `pull_events_open_idx` ON `pull_events` (`task_row_id`) WHERE ended_at IS NULL;--> statement-breakpoint
CREATE INDEX `pull_events_project_idx` ON `pull_events` (`project_id`,`pulled_at`);--> statement-breakpoint
CREATE INDEX `pull_events_lease_idx` ON `pull_events` (`lease_id`);--> statement-breakpoint
CREATE TABLE `queues` (
	`project_id` text NOT NULL,
	`queue_id` text NOT NULL,
	`name` text NOT NULL,
	`meta` text,
	`last_reset_at` integer,
	`last_operation` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	PRIMARY KEY(`project_id`, `queue_id`)
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` text NOT NULL,
	`queue_id` text,
	`task_id` text NOT NULL,
	`name` text NOT NULL,
	`prompt` text DEFAULT '' NOT NULL,
	`spec_file` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`report` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`priority` text,
	`priority_rank` integer DEFAULT 0 NOT NULL,
	`messages` text,
	`logs` text,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`server_modified_at` integer,
	`expires_at` integer,
	`deleted_at` integer,
	`deleted_by` text,
	`pulled_at` integer,
	`pulled_by` text,
	`pulled_by_key_id` text,
	`lease_id` text,
	`lease_expires_at` integer,
	`pushed_at` integer,
	`pull_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_project_task_uq` ON `tasks` (`project_id`,`task_id`);--> statement-breakpoint
CREATE INDEX `tasks_queue_idx` ON `tasks` (`project_id`,`queue_id`,`task_id`);--> statement-breakpoint
CREATE INDEX `tasks_claimable_queue_idx` ON `tasks` (`project_id`,`queue_id`,priority_rank DESC,`created_at`,`task_id`) WHERE source = 'server' AND deleted_at IS NULL AND pushed_at IS NULL AND pulled_at IS NULL;--> statement-breakpoint
CREATE INDEX `tasks_claimable_project_idx` ON `tasks` (`project_id`,priority_rank DESC,`created_at`,`task_id`) WHERE source = 'server' AND deleted_at IS NULL AND pushed_at IS NULL AND pulled_at IS NULL;--> statement-breakpoint
CREATE INDEX `tasks_lease_expiry_idx` ON `tasks` (`lease_expires_at`) WHERE pulled_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_held_scope_idx` ON `tasks` (`project_id`,`queue_id`,`lease_expires_at`) WHERE pulled_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_lease_idx` ON `tasks` (`lease_id`) WHERE lease_id IS NOT NULL;