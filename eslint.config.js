// ESLint for the reader widget's JavaScript and its build script (decision 0011).
// `make lint` runs it with the versions pinned in package-lock.json.
import js from '@eslint/js'

const browser = {
  window: 'readonly', document: 'readonly', navigator: 'readonly', location: 'readonly', console: 'readonly',
  fetch: 'readonly', sessionStorage: 'readonly', crypto: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
  requestAnimationFrame: 'readonly', addEventListener: 'readonly', matchMedia: 'readonly', innerWidth: 'readonly',
  innerHeight: 'readonly', Element: 'readonly', Node: 'readonly', Range: 'readonly', ShadowRoot: 'readonly',
  CSSStyleSheet: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', IntersectionObserver: 'readonly',
  TextEncoder: 'readonly', Worker: 'readonly', Blob: 'readonly', btoa: 'readonly'
}

export default [
  { ignores: ['src/corrigo/widget/dist/**', 'node_modules/**', '.venv/**'] },
  js.configs.recommended,
  {
    files: ['src/corrigo/widget/js/**/*.js'],
    languageOptions: { ecmaVersion: 2020, sourceType: 'module', globals: browser }
  },
  {
    files: ['src/corrigo/widget/js/widget.js'],
    // A classic script (the embed tag), which only uses import() to load the lazy part.
    languageOptions: { sourceType: 'script' }
  },
  {
    files: ['src/corrigo/widget/build.mjs', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { process: 'readonly' } }
  },
  {
    rules: {
      // The widget reads like the rest of the code: names say what a thing is; one letter
      // only for loop indices.
      'id-length': ['error', { min: 2, exceptions: ['i', 'j'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-shadow': 'error',
      'no-implicit-globals': 'error',
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[property.name=/^(innerHTML|outerHTML)$/]", message: 'Build elements with DOM calls (strict CSP, Trusted Types).' },
        { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'Build elements with DOM calls (strict CSP, Trusted Types).' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error'
    }
  }
]
