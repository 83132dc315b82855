//! The phone's clock, read in its own time zone. The only place the app turns a JavaScript
//! `Date` into the core crate's calendar types.

use mimamori_core::calendar::CivilDate;
use mimamori_core::sync_status::LocalMinute;

/// The minute `ms` (since the Unix epoch) falls in, on the phone's wall clock.
pub fn minute_at(ms: f64) -> LocalMinute {
    let date = js_sys::Date::new(&ms.into());
    let day = CivilDate::new(
        date.get_full_year() as i32,
        date.get_month() as u8 + 1,
        date.get_date() as u8,
    )
    .unwrap_or(CivilDate {
        year: 1970,
        month: 1,
        day: 1,
    });
    LocalMinute {
        date: day,
        hour: date.get_hours() as u8,
        minute: date.get_minutes() as u8,
    }
}

pub fn now() -> LocalMinute {
    minute_at(js_sys::Date::now())
}

pub fn today() -> CivilDate {
    now().date
}

/// When the day `date` began on the phone's wall clock (milliseconds since the epoch).
pub fn start_of(date: CivilDate) -> f64 {
    js_sys::Date::new_with_year_month_day(
        u32::try_from(date.year).unwrap_or(1970),
        i32::from(date.month) - 1,
        i32::from(date.day),
    )
    .get_time()
}
