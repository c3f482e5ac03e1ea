//! Demo data for a first look: a few sites with groups and departments, a few dozen
//! engineers, and an `admin` account.

use crate::operator::{cli_context, create_admin, service_message};
use app::domain::{NewTechnician, SiteName, TechnicianForm};
use app::service::{auth, reference, technicians, Actor, Db};
use rand::distributions::Alphanumeric;
use rand::Rng;

const SITES: &[(&str, &[&str], &[&str])] = &[
    (
        "Beijing",
        &["Network", "Database"],
        &["Operations", "Infrastructure"],
    ),
    ("Shanghai", &["Network", "Storage"], &["Operations"]),
    ("Shenzhen", &["Compute"], &["Operations", "Security"]),
    ("Asia-Pacific", &["On-call"], &["Support"]),
    ("Frankfurt", &["Network", "On-call"], &["Operations"]),
];

const GIVEN: &[&str] = &[
    "Wei", "Li", "Ming", "Jing", "Hao", "Lan", "Tao", "Yan", "Anna", "Lukas", "Mia", "Jonas",
];
const FAMILY: &[&str] = &[
    "Zhang", "Wang", "Chen", "Liu", "Schmidt", "Tan", "Müller", "Huang",
];

pub async fn seed(db: &Db) -> Result<(), String> {
    let password = std::env::var("CREWDESK_ADMIN_PASSWORD").unwrap_or_else(|_| {
        rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(16)
            .map(char::from)
            .collect()
    });
    let existing = technicians::list_technicians(db, &Actor::operator(), &Default::default())
        .await
        .map_err(service_message)?;
    if existing.total == 0 {
        seed_roster(db).await?;
        create_admin(db, "admin", &password, "", Some("Crewdesk Admin")).await?;
    } else {
        auth::set_password(
            db,
            &Actor::operator(),
            &cli_context(),
            "admin",
            "",
            &password,
        )
        .await
        .map_err(service_message)?;
    }
    add_demo_directory(db).await?;
    println!("Demo ready. Sign in as: admin / {password}");
    Ok(())
}

/// The demo directory file: the Synchronize Engineer Info button works on first run.
pub const DEMO_DIRECTORY: &str = "demo/corp-directory.csv";

/// Configures the directory `CORP` on the demo file, unless a directory exists or the file
/// is not there (a binary run outside the source tree).
async fn add_demo_directory(db: &Db) -> Result<(), String> {
    use app::domain::directory::{DirectoryName, Preset};
    use app::service::directories::{self, NewDirectory, Source};
    let Ok(path) = std::fs::canonicalize(DEMO_DIRECTORY) else {
        return Ok(());
    };
    if !directories::list(db)
        .await
        .map_err(service_message)?
        .is_empty()
    {
        return Ok(());
    }
    let new = NewDirectory {
        name: DirectoryName::parse("CORP").map_err(|e| e.to_string())?,
        source: Source::File {
            path: path.display().to_string(),
        },
        preset: Preset::OpenLdap,
        mapping: Preset::OpenLdap.mapping(),
    };
    directories::add(
        db,
        &Actor::operator(),
        &cli_context(),
        new,
        app::service::now_ms(),
    )
    .await
    .map_err(service_message)?;
    println!(
        "Directory CORP reads {}: press Synchronize Engineer Info.",
        path.display()
    );
    Ok(())
}

async fn seed_roster(db: &Db) -> Result<(), String> {
    let operator = Actor::operator();
    let ctx = cli_context();
    for (site, groups, departments) in SITES {
        let site = SiteName::parse(site).map_err(|e| e.to_string())?;
        reference::add_site(db, &operator, &ctx, &site)
            .await
            .map_err(service_message)?;
        for group in *groups {
            let group = SiteName::parse(group).map_err(|e| e.to_string())?;
            reference::add_group(db, &operator, &ctx, &site, &group)
                .await
                .map_err(service_message)?;
        }
        for department in *departments {
            let department = SiteName::parse(department).map_err(|e| e.to_string())?;
            reference::add_department(db, &operator, &ctx, &department, Some(&site))
                .await
                .map_err(service_message)?;
        }
    }
    for i in 0..36 {
        let (site, groups, departments) = SITES[i % SITES.len()];
        let given = GIVEN[i % GIVEN.len()];
        let family = FAMILY[(i / GIVEN.len() + i) % FAMILY.len()];
        let login = format!("{}.{}{}", given.to_lowercase(), ascii(family), i);
        let form = TechnicianForm {
            name: Some(format!("{given} {family}")),
            email: Some(format!("{login}@ops.example.com")),
            mobile: Some(format!("+86 138 {:04} {:04}", 1000 + i, 2000 + i * 7)),
            job_title: Some(
                if i % 4 == 0 {
                    "Shift lead"
                } else {
                    "O&M engineer"
                }
                .to_owned(),
            ),
            tech_site_name: Some(site.to_owned()),
            department_name: Some(departments[i % departments.len()].to_owned()),
            associate_groups: Some(format!("{site}-{}", groups[i % groups.len()])),
            associate_rols: (i % 9 == 0).then(|| "SDSiteAdmin".to_owned()),
            login_name: Some(login.clone()),
            pwd: Some(format!("{login}-demo")),
            enable_login: Some("true".to_owned()),
            ..TechnicianForm::default()
        };
        let new = NewTechnician::try_from(form).map_err(|e| e.to_string())?;
        technicians::add_technician(db, &operator, &ctx, new)
            .await
            .map_err(service_message)?;
    }
    Ok(())
}

fn ascii(name: &str) -> String {
    name.to_lowercase().replace('ü', "ue")
}
