// Loaded synchronously in <head>: lets the style sheet tell pages with scripts from pages without.
document.documentElement.className = "js";
