import eslint from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }]
    }
  },
  {
    files: ['__tests__/**', 'scripts/**'],
    rules: { 'no-console': 'off' }
  },
  {
    // Planning is pure: it neither calls AWS nor talks to the runner, so it can be tested with tables.
    files: ['src/plan/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../aws/*', '../apply/*', '../read.js', '../main.js'],
              message: 'src/plan/ is pure: no AWS calls, no apply stage (types only)',
              allowTypeImports: true
            },
            {
              group: ['@actions/*', '@aws-sdk/*', '@smithy/*'],
              message: 'src/plan/ uses neither the toolkit nor the SDK'
            }
          ]
        }
      ]
    }
  }
)
