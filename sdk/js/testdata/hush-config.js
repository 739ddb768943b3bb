// Configuration for ccaas-compat.js. Browser tests serve their own copy of
// this file with the hush URL and an agent key; these values are placeholders.
window.hushConfig = {
  baseUrl: 'http://127.0.0.1:8080',
  apiKey: 'REPLACE_WITH_AN_AGENT_KEY'
};
