/** The page's h1, an optional line under it, and its main actions. */
export function PageHeader({ title, subtitle, actions, back }) {
  return (
    <header class="page-header">
      {back}
      <div class="page-header-row">
        <div class="page-header-text">
          <h1 tabIndex={-1} class="page-title">
            {title}
          </h1>
          {subtitle && <p class="page-subtitle">{subtitle}</p>}
        </div>
        {actions && <div class="page-actions">{actions}</div>}
      </div>
    </header>
  );
}
