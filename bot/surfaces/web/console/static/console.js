// GOV.UK Frontend's components, started without any inline script (the CSP forbids it).
// Every page works without this file: it only adds the components' enhancements.
import { initAll } from './govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
