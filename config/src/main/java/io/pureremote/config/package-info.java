/**
 * TOML configuration for Pure Remote: teams, namespaces, per-function settings. Filled by the config issue.
 */
package io.pureremote.config;
