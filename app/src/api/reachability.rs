//! The reachability view and the roster's warning about places nobody can be phoned in.

use super::AppError;
use crate::domain::ReachView;
use leptos::prelude::*;
use server_fn::codec::Postcard;

/// The filters as the page's address has them (`site`, `group`, `channel`), each empty for
/// none; anything that does not parse is no filter.
#[server(prefix = "/api", endpoint = "load_reachability", output = Postcard)]
pub async fn load_reachability(
    #[server(default)] site: String,
    #[server(default)] group: String,
    #[server(default)] channel: String,
) -> Result<ReachView, AppError> {
    let query = crate::domain::ReachQuery::parse(&site, &group, &channel);
    let (state, actor) = super::actor().await?;
    let now = state.clock.now();
    let mut view =
        crate::service::reachability::view_cached(&state.reach, &state.db, &actor, query, now)
            .await?;
    view.can_drill = actor.is_admin();
    view.drills = crate::service::drills::recent(&state.db, &actor, now).await?;
    Ok(view)
}

/// The sites and groups (within the viewer's reach) that have engineers and none of them
/// reachable by SMS or voice; nothing for a viewer who is not an administrator.
#[server(prefix = "/api", endpoint = "phone_gaps", output = Postcard)]
pub async fn phone_gaps() -> Result<Vec<String>, AppError> {
    let (state, actor) = super::actor().await?;
    let now = state.clock.now();
    Ok(crate::service::reachability::without_phone(&state.reach, &state.db, &actor, now).await?)
}

/// Starts a drill of a site or group (`kind` is `site` or `group`), then opens its page.
#[server(prefix = "/api", endpoint = "start_drill", output = Postcard)]
pub async fn start_drill(kind: String, id: i64) -> Result<(), AppError> {
    use crate::domain::PlaceKind;
    let (state, actor) = super::actor().await?;
    let ctx = super::audit_context().await;
    let kind = if kind == "group" {
        PlaceKind::Group
    } else {
        PlaceKind::Site
    };
    let drill =
        crate::service::drills::start(&state.db, &actor, &ctx, kind, id, state.clock.now()).await?;
    leptos_axum::redirect(&format!("/drills/{drill}"));
    Ok(())
}

#[server(prefix = "/api", endpoint = "load_drill", output = Postcard)]
pub async fn load_drill(id: i64) -> Result<crate::domain::DrillView, AppError> {
    let (state, actor) = super::actor().await?;
    Ok(crate::service::drills::view(&state.db, &actor, id, state.clock.now()).await?)
}
