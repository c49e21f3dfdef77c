//! Orders (SPEC A9): payment accounts (stub accounts record money collected elsewhere),
//! orders with their items (products) and details (candidates), and transactions. Only
//! `orders::store` touches `core_paymentaccount`, `core_order`, `core_orderitem`,
//! `core_orderdetail`, `core_transaction`, `core_product` and `core_candidate`.

pub mod money;
pub mod query;
pub mod store;

pub use money::Cents;

#[derive(Clone, Debug, diesel::Queryable)]
pub struct PaymentAccount {
    pub id: i64,
    pub name: String,
    pub vendor: String,
    pub card_code: String,
    pub currency: String,
    pub is_active: bool,
}
