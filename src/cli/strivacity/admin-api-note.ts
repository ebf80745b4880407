/** What every Strivacity Admin API command's --help says about its credentials. */
export const ADMIN_API_NOTE = `
The Admin API client's credentials come from STRIVACITY_CLIENT_ID / STRIVACITY_CLIENT_SECRET,
never from flags; <url> is https://<tenant>.strivacity.com (the sandbox command serves one locally).`;
